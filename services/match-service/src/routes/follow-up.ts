import { actorOf, problemSchema } from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { MatchContext } from '../context.js'
import { slugSchema } from '../domain/sectors.js'
import { organisationFollowUp } from '../use-cases/organisation-follow-up.js'

const followUpItemSchema = z
  .object({
    matchId: z.uuid().describe('The match.'),
    status: z.enum(['open', 'closed']).describe("The match's status."),
    createdAt: z.date().describe('When the match was made.'),
    region: z.string().nullable().describe('The region whose rules apply; null when none.'),
    tasks: z
      .array(
        z
          .object({
            task: z
              .enum(['contact', 'accept', 'handover'])
              .describe('Record contact, accept (a proposal or transfer), or record the warm handover.'),
            dueAt: z.date().nullable().describe('When it is due; null without a deadline.'),
          })
          .describe('One thing to do.'),
      )
      .describe('What the organisation still has to do, most urgent first.'),
  })
  .describe('An open match (or a closed one whose warm handover may still be recorded) and its to-do.')
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
          200: z.object({
            items: z.array(followUpItemSchema).describe('Its matches with something to do, oldest first.'),
            nextCursor: z.null().describe('Always null: the whole list fits one page.'),
          }),
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
