import { type Actor, ProblemError } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { lockCoordination } from '../db/coordination.js'
import type { MatchView } from '../views/schemas.js'
import { actOnCoordination } from './coordination-action.js'
import { reachEscalation } from './reach-escalation.js'

export type EscalationReason =
  | 'no_contact'
  | 'disagreement'
  | 'commitments_not_kept'
  | 'no_capacity'
  | 'other'

/** Any current party raises the match's escalation ladder one level now. */
export function escalate(
  ctx: MatchContext,
  actor: Actor,
  organisationId: string,
  matchId: string,
  reason: EscalationReason,
): Promise<MatchView> {
  return actOnCoordination(ctx, actor, {
    matchId,
    organisationId,
    action: 'coordination.escalate',
    partiesOnly: true,
    change: async (trx, match, now) => {
      const c = await lockCoordination(trx, match.id)
      if (!c || c.status === 'ended')
        throw new ProblemError('conflict', 'This match has no coordination to escalate')
      const changes = await reachEscalation(trx, c, c.escalationLevel + 1, now, reason)
      if (changes.length === 0)
        throw new ProblemError('conflict', 'The region has no further escalation step')
      return changes
    },
  })
}
