import type { Actor, DeclineReason } from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import type { MatchContext } from '../context.js'
import { addHistory, updateCoordination } from '../db/coordination.js'
import { getMatch } from '../db/matches.js'
import type { Match, MatchDatabase } from '../db/schema.js'
import type { CoordinationChange } from '../domain/coordination-change.js'
import type { MatchView } from '../views/schemas.js'
import { actOnCoordination, lockAwaitedAnswer } from './coordination-action.js'
import { decide, designate } from './reevaluate-coordination.js'

/** The proposed organisation (or a transfer's receiver) declines coordination of a match. */
export function declineCoordination(
  ctx: MatchContext,
  actor: Actor,
  organisationId: string,
  matchId: string,
  reason: DeclineReason,
): Promise<MatchView> {
  return actOnCoordination(ctx, actor, {
    matchId,
    organisationId,
    action: 'coordination.decline',
    change: (trx, match, now) => decline(trx, match.id, organisationId, reason, now),
  })
}

/** A declined handover leaves the coordinator in place; a declined proposal goes to the next candidate, every decliner excluded. */
async function decline(
  trx: Transaction<MatchDatabase>,
  matchId: string,
  org: string,
  reason: string,
  now: Date,
): Promise<CoordinationChange[]> {
  const { coordination: c, answer } = await lockAwaitedAnswer(trx, matchId, org)
  if (answer === 'transfer') {
    await updateCoordination(trx, matchId, { pendingTransferTo: null, pendingTransferAt: null }, now)
    await addHistory(trx, {
      matchId,
      subjectKey: c.subjectKey,
      at: now,
      event: 'transfer_declined',
      organisationId: org,
      reason,
    })
    return [{ type: 'coordination.declined', matchId, tell: [org, c.organisationId as string], reason }]
  }
  const declinedBy = [...c.declinedBy, org]
  await updateCoordination(trx, matchId, { declinedBy }, now)
  await addHistory(trx, {
    matchId,
    subjectKey: c.subjectKey,
    at: now,
    event: 'declined',
    organisationId: org,
    reason,
  })
  const match = (await getMatch(trx, matchId)) as Match
  const evaluated = await decide(trx, match, now, new Set(declinedBy))
  const changes: CoordinationChange[] = [{ type: 'coordination.declined', matchId, tell: [org], reason }]
  if (!evaluated) return changes
  return [
    ...changes,
    ...(await designate(trx, match, { ...c, declinedBy }, evaluated.decision, evaluated.region, now)),
  ]
}
