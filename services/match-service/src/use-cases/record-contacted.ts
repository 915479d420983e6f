import { type Actor, ProblemError } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { partyOrganisationIds, recordContact } from '../db/coordination.js'
import type { MatchView } from '../views/schemas.js'
import { actOnCoordination } from './coordination-action.js'

/**
 * A current party records that it has coordinated with the others (follow-up made visible), optionally
 * naming whom it contacted: each must be another party of the match (else 422 naming it).
 */
export function recordContacted(
  ctx: MatchContext,
  actor: Actor,
  organisationId: string,
  matchId: string,
  contacted: string[] = [],
): Promise<MatchView> {
  return actOnCoordination(ctx, actor, {
    matchId,
    organisationId,
    action: 'match.contacted',
    partiesOnly: true,
    change: async (trx, match, now) => {
      const parties = new Set(await partyOrganisationIds(trx, match.id))
      const errors = contacted.flatMap((id, i) =>
        id === organisationId
          ? [{ pointer: `/organisations/${i}`, message: 'your own organisation' }]
          : parties.has(id)
            ? []
            : [{ pointer: `/organisations/${i}`, message: `${id} is not a party of this match` }],
      )
      if (errors.length > 0)
        throw new ProblemError('unprocessable', 'Only other parties of the match can be contacted', errors)
      await recordContact(trx, match, organisationId, [...new Set(contacted)].sort(), now)
      return []
    },
  })
}
