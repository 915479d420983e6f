import type { Actor } from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import type { MatchContext } from '../context.js'
import { addHistory, updateCoordination } from '../db/coordination.js'
import type { MatchDatabase } from '../db/schema.js'
import type { CoordinationChange } from '../domain/coordination-change.js'
import type { MatchView } from '../views/schemas.js'
import { actOnCoordination, lockAwaitedAnswer } from './coordination-action.js'

/** The proposed organisation (or a transfer's receiver) accepts coordination of a match. */
export function acceptCoordination(
  ctx: MatchContext,
  actor: Actor,
  organisationId: string,
  matchId: string,
): Promise<MatchView> {
  return actOnCoordination(ctx, actor, {
    matchId,
    organisationId,
    action: 'coordination.accept',
    change: (trx, match, now) => accept(trx, match.id, organisationId, now),
  })
}

async function accept(
  trx: Transaction<MatchDatabase>,
  matchId: string,
  org: string,
  now: Date,
): Promise<CoordinationChange[]> {
  const { coordination: c, answer } = await lockAwaitedAnswer(trx, matchId, org)
  if (answer === 'transfer') {
    const from = c.organisationId
    await updateCoordination(
      trx,
      matchId,
      { organisationId: org, acceptedAt: now, pendingTransferTo: null, pendingTransferAt: null },
      now,
    )
    await addHistory(trx, {
      matchId,
      subjectKey: c.subjectKey,
      at: now,
      event: 'transferred',
      organisationId: org,
      reason: from ? `from ${from}` : null,
    })
    return [{ type: 'coordination.transferred', matchId, tell: [org, ...(from ? [from] : [])] }]
  }
  await updateCoordination(trx, matchId, { status: 'accepted', acceptedAt: now }, now)
  await addHistory(trx, {
    matchId,
    subjectKey: c.subjectKey,
    at: now,
    event: 'accepted',
    organisationId: org,
  })
  return [{ type: 'coordination.accepted', matchId, tell: [org] }]
}
