import { actorOf, problemSchema } from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { MatchContext } from '../context.js'
import { slugSchema } from '../domain/sectors.js'
import { organisationFollowUp } from '../use-cases/organisation-follow-up.js'

const followUpItemSchema = z
  .object({
    matchId: z.uuid(),
    status: z.enum(['open', 'closed']),
    createdAt: z.date(),
    region: z.string().nullable(),
    /** What the organisation still has to do: record contact, accept (a proposal or transfer), the warm handover. */
    tasks: z.array(z.object({ task: z.enum(['contact', 'accept', 'handover']), dueAt: z.date().nullable() })),
  })
  .meta({ id: 'FollowUpItem' })

export const followUpRoutes: FastifyPluginAsyncZod<{ ctx: MatchContext }> = async (app, { ctx }) => {
  app.get(
    '/v1/organisations/:id/follow-up',
    {
      config: { roles: ['professional', 'system'] },
      schema: {
        operationId: 'organisationFollowUp',
        summary: "An organisation's follow-up to-do list",
        tags: ['organisations'],
        description:
          "The organisation's own to-do list: its open matches (and closed ones whose warm handover may still be recorded) with what it still has to do, oldest first. Another organisation's list answers 404.",
        params: z.object({ id: slugSchema }),
        response: {
          200: z.object({ items: z.array(followUpItemSchema), nextCursor: z.null() }),
          400: problemSchema,
          404: problemSchema,
        },
      },
    },
    async (request) => ({
      items: await organisationFollowUp(ctx, actorOf(request), request.params.id),
      nextCursor: null,
    }),
  )
}
