import {
  type AuditAction,
  auditDenied,
  auditRequest,
  ProblemError,
  problemSchema,
} from '@verwijsindex/shared'
import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Transaction } from 'kysely'
import { z } from 'zod'
import { auditCoordinationChanges, type MatchContext } from '../commands.js'
import {
  accept,
  type CoordinationChange,
  coordinationEvents,
  decline,
  escalateByHand,
  requestTransfer,
} from '../coordination.js'
import { getMatch, isActiveParty, visibleMatch } from '../db/matches.js'
import type { Match, MatchDatabase } from '../db/schema.js'
import { slugSchema } from '../domain/sectors.js'
import { activeEventParties, publish } from '../events.js'
import { matchSchema, toMatchView } from '../views.js'

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

  /** Loads a match the caller may see (else 404, audited), runs the change and publishes its events. */
  async function act(
    request: FastifyRequest,
    matchId: string,
    action: AuditAction,
    change: (
      trx: Transaction<MatchDatabase>,
      match: Match,
      org: string,
      now: Date,
    ) => Promise<CoordinationChange[]>,
    options: { partiesOnly?: boolean } = {},
  ) {
    const org = request.organisation!.id
    const match = await visibleMatch(ctx.db, matchId, org)
    if (!match) {
      const hidden = await getMatch(ctx.db, matchId)
      await auditDenied(ctx.db, request, {
        subjectKey: hidden?.subjectKey ?? null,
        resource: { type: 'match', id: matchId },
      })
      throw new ProblemError('not_found', `No match ${matchId}`)
    }
    if (options.partiesOnly && !(await isActiveParty(ctx.db, matchId, org))) {
      await auditDenied(ctx.db, request, {
        subjectKey: match.subjectKey,
        resource: { type: 'match', id: matchId },
      })
      throw new ProblemError('forbidden', 'Only a party of the match may do this')
    }
    if (match.status !== 'open') throw new ProblemError('conflict', 'This match is closed')
    const now = ctx.clock.now()
    await ctx.db.transaction().execute(async (trx) => {
      const changes = await change(trx, match, org, now)
      await publish(
        ctx.boss,
        trx,
        await coordinationEvents(trx, changes, now, (id) => activeEventParties(trx, id)),
      )
      await auditRequest(trx, request, action, {
        subjectKey: match.subjectKey,
        resource: { type: 'match', id: matchId },
      })
      await auditCoordinationChanges(
        trx,
        request,
        changes.filter((c) => c.type !== action),
        match.subjectKey,
      )
    })
    return toMatchView(ctx.db, (await getMatch(ctx.db, matchId)) as Match, org)
  }

  app.post(
    '/v1/matches/:id/coordination/accept',
    {
      config: { roles },
      schema: { operationId: 'acceptCoordination', tags: ['coordination'], params, response: responses },
    },
    async (request) =>
      act(request, request.params.id, 'coordination.accept', (trx, match, org, now) =>
        accept(trx, match.id, org, now),
      ),
  )

  app.post(
    '/v1/matches/:id/coordination/decline',
    {
      config: { roles },
      schema: {
        operationId: 'declineCoordination',
        tags: ['coordination'],
        params,
        body: z.strictObject({
          reason: z.enum(['not_involved', 'no_capacity', 'other_is_better_placed', 'other']),
        }),
        response: responses,
      },
    },
    async (request) =>
      act(request, request.params.id, 'coordination.decline', (trx, match, org, now) =>
        decline(trx, match.id, org, request.body.reason, now),
      ),
  )

  app.post(
    '/v1/matches/:id/coordination/transfer',
    {
      config: { roles },
      schema: {
        operationId: 'transferCoordination',
        tags: ['coordination'],
        params,
        body: z.strictObject({ organisation: slugSchema }),
        response: responses,
      },
    },
    async (request) =>
      act(request, request.params.id, 'coordination.transfer', (trx, match, org, now) =>
        requestTransfer(trx, match.id, org, request.body.organisation, now),
      ),
  )

  app.post(
    '/v1/matches/:id/escalate',
    {
      config: { roles },
      schema: {
        operationId: 'escalateMatch',
        tags: ['coordination'],
        params,
        body: z.strictObject({
          reason: z.enum(['no_contact', 'disagreement', 'commitments_not_kept', 'no_capacity', 'other']),
        }),
        response: responses,
      },
    },
    async (request) =>
      act(
        request,
        request.params.id,
        'coordination.escalate',
        (trx, match, _org, now) => escalateByHand(trx, match.id, request.body.reason, now),
        { partiesOnly: true },
      ),
  )

  app.post(
    '/v1/matches/:id/contacted',
    {
      config: { roles },
      schema: { operationId: 'recordContact', tags: ['coordination'], params, response: responses },
    },
    async (request) =>
      act(
        request,
        request.params.id,
        'match.contacted',
        async (trx, match, org, now) => {
          await trx
            .insertInto('match.matchContacts')
            .values({ matchId: match.id, organisationId: org, subjectKey: match.subjectKey, at: now })
            .onConflict((oc) => oc.columns(['matchId', 'organisationId']).doUpdateSet({ at: now }))
            .execute()
          return []
        },
        { partiesOnly: true },
      ),
  )
}
