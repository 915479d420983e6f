import {
  auditDenied,
  auditRequest,
  decodeCursor,
  ProblemError,
  pageOf,
  pageQuerySchema,
  pageSchema,
  problemSchema,
} from '@verwijsindex/shared'
import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { MatchContext } from '../commands.js'
import { getMatch, matchIdsVisibleTo, visibleMatch } from '../db/matches.js'
import { matchSchema, toMatchView } from '../views.js'

const cursorKey = z.object({ createdAt: z.string(), id: z.string() })

export const matchRoutes: FastifyPluginAsyncZod<{ ctx: MatchContext }> = async (app, { ctx }) => {
  /** 404 for a match the caller may not see, or that does not exist: the answer is the same; both audited. */
  async function deny(request: FastifyRequest, matchId: string): Promise<never> {
    const match = await getMatch(ctx.db, matchId)
    await auditDenied(ctx.db, request, {
      subjectKey: match?.subjectKey ?? null,
      resource: { type: 'match', id: matchId },
    })
    throw new ProblemError('not_found', `No match ${matchId}`)
  }

  const roles = ['professional', 'system'] as const

  app.get(
    '/v1/matches',
    {
      config: { roles },
      schema: {
        operationId: 'listMatches',
        tags: ['matches'],
        querystring: pageQuerySchema.extend({ status: z.enum(['open', 'closed']).optional() }),
        response: { 200: pageSchema(matchSchema) },
      },
    },
    async (request) => {
      const { limit, cursor, status } = request.query
      const org = request.organisation!.id
      const rows = await matchIdsVisibleTo(
        ctx.db,
        org,
        { status, after: decodeCursor(cursor, cursorKey) },
        limit + 1,
      )
      const page = pageOf(rows, limit, (m) => ({ createdAt: m.createdAt.toISOString(), id: m.id }))
      const items = await Promise.all(page.items.map((m) => toMatchView(ctx.db, m, org)))
      await ctx.db.transaction().execute(async (trx) => {
        for (const m of page.items) {
          await auditRequest(trx, request, 'match.read', {
            subjectKey: m.subjectKey,
            resource: { type: 'match', id: m.id },
          })
        }
        if (page.items.length === 0) await auditRequest(trx, request, 'match.list')
      })
      return { items, nextCursor: page.nextCursor }
    },
  )

  app.get(
    '/v1/matches/:id',
    {
      config: { roles },
      schema: {
        operationId: 'getMatch',
        tags: ['matches'],
        params: z.object({ id: z.uuid() }),
        response: { 200: matchSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const org = request.organisation!.id
      // Need to know: a match the caller is not part of does not exist for it.
      const match =
        (await visibleMatch(ctx.db, request.params.id, org)) ?? (await deny(request, request.params.id))
      await ctx.db.transaction().execute((trx) =>
        auditRequest(trx, request, 'match.read', {
          subjectKey: match.subjectKey,
          resource: { type: 'match', id: match.id },
        }),
      )
      return toMatchView(ctx.db, match, org)
    },
  )
}
