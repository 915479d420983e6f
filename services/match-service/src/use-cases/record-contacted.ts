import type { Actor } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { recordContact } from '../db/coordination.js'
import type { MatchView } from '../views/schemas.js'
import { actOnCoordination } from './coordination-action.js'

/** A current party records that it has coordinated with the others (follow-up made visible). */
export function recordContacted(
  ctx: MatchContext,
  actor: Actor,
  organisationId: string,
  matchId: string,
): Promise<MatchView> {
  return actOnCoordination(ctx, actor, {
    matchId,
    organisationId,
    action: 'match.contacted',
    partiesOnly: true,
    change: async (trx, match, now) => {
      await recordContact(trx, match, organisationId, now)
      return []
    },
  })
}
