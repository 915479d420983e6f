import { actorOf, DECLINE_REASONS, problemSchema } from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { MatchContext } from '../context.js'
import { slugSchema } from '../domain/sectors.js'
import { acceptCoordination } from '../use-cases/accept-coordination.js'
import { declineCoordination } from '../use-cases/decline-coordination.js'
import { escalate } from '../use-cases/escalate.js'
import { recordContacted } from '../use-cases/record-contacted.js'
import { transferCoordination } from '../use-cases/transfer-coordination.js'
import { matchSchema } from '../views/schemas.js'

const params = z.object({ id: z.uuid() })
const responses = {
  200: matchSchema,
  400: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
  422: problemSchema,
}

export const coordinationRoutes: FastifyPluginAsyncZod<{ ctx: MatchContext }> = async (app, { ctx }) => {
  const roles = ['professional', 'system'] as const

  app.post(
    '/v1/matches/:id/coordination/accept',
    {
      config: { roles },
      schema: {
        operationId: 'acceptCoordination',
        summary: 'Accept coordination',
        description:
          'The proposed organisation accepts coordination of the match (or the receiver accepts a pending transfer); the escalation ladder stops.',
        tags: ['coordination'],
        params,
        response: responses,
      },
    },
    async (request) => acceptCoordination(ctx, actorOf(request), request.organisation!.id, request.params.id),
  )

  app.post(
    '/v1/matches/:id/coordination/decline',
    {
      config: { roles },
      schema: {
        operationId: 'declineCoordination',
        summary: 'Decline coordination',
        description:
          'The proposed organisation declines with a reason code; the next candidate is designated, every decliner excluded.',
        tags: ['coordination'],
        params,
        body: z.strictObject({
          reason: z.enum(DECLINE_REASONS),
        }),
        response: responses,
      },
    },
    async (request) =>
      declineCoordination(
        ctx,
        actorOf(request),
        request.organisation!.id,
        request.params.id,
        request.body.reason,
      ),
  )

  app.post(
    '/v1/matches/:id/coordination/transfer',
    {
      config: { roles },
      schema: {
        operationId: 'transferCoordination',
        summary: 'Hand coordination over',
        description:
          'The accepted coordinator proposes another organisation; that organisation accepts with accept.',
        tags: ['coordination'],
        params,
        body: z.strictObject({ organisation: slugSchema }),
        response: responses,
      },
    },
    async (request) =>
      transferCoordination(
        ctx,
        actorOf(request),
        request.organisation!.id,
        request.params.id,
        request.body.organisation,
      ),
  )

  app.post(
    '/v1/matches/:id/escalate',
    {
      config: { roles },
      schema: {
        operationId: 'escalateMatch',
        summary: 'Escalate a match',
        description:
          "Any party escalates the match to the next step of the region's ladder, with a reason code.",
        tags: ['coordination'],
        params,
        body: z.strictObject({
          reason: z.enum(['no_contact', 'disagreement', 'commitments_not_kept', 'no_capacity', 'other']),
        }),
        response: responses,
      },
    },
    async (request) =>
      escalate(ctx, actorOf(request), request.organisation!.id, request.params.id, request.body.reason),
  )

  app.post(
    '/v1/matches/:id/contacted',
    {
      config: { roles },
      schema: {
        operationId: 'recordContact',
        summary: 'Record coordination contact',
        description:
          'Records that your organisation has coordinated with the other parties (the follow-up made visible).',
        tags: ['coordination'],
        params,
        response: responses,
      },
    },
    async (request) => recordContacted(ctx, actorOf(request), request.organisation!.id, request.params.id),
  )
}
