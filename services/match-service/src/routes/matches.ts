import {
  actorOf,
  createdAtCursorSchema,
  decodeCursor,
  pageQuerySchema,
  pageSchema,
  problemSchema,
} from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { MatchContext } from '../context.js'
import { readMatch, readMatches } from '../use-cases/read-matches.js'
import { matchSchema } from '../views/schemas.js'

export const matchRoutes: FastifyPluginAsyncZod<{ ctx: MatchContext }> = async (app, { ctx }) => {
  const roles = ['professional', 'system'] as const

  app.get(
    '/v1/matches',
    {
      config: { roles },
      schema: {
        operationId: 'listMatches',
        summary: 'List your matches',
        description:
          'The matches your organisation may see (a current party, the designated coordinator, or named in a reached escalation step), newest first.',
        tags: ['matches'],
        querystring: pageQuerySchema.extend({ status: z.enum(['open', 'closed']).optional() }),
        response: { 200: pageSchema(matchSchema) },
      },
    },
    async (request) => {
      const { limit, cursor, status } = request.query
      return readMatches(ctx, actorOf(request), request.organisation!.id, {
        status,
        after: decodeCursor(cursor, createdAtCursorSchema),
        limit,
      })
    },
  )

  app.get(
    '/v1/matches/:id',
    {
      config: { roles },
      schema: {
        operationId: 'getMatch',
        summary: 'Read a match',
        description:
          'A match: its parties with contact details, coordination and household links. A match you may not see answers 404.',
        tags: ['matches'],
        params: z.object({ id: z.uuid() }),
        response: { 200: matchSchema, 404: problemSchema },
      },
    },
    async (request) => readMatch(ctx, actorOf(request), request.organisation!.id, request.params.id),
  )
}
