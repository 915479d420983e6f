import { type Actor, ProblemError, recordAudit, recordDenied } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { lockCoordination } from '../db/coordination.js'
import { lockMatch, markMatch } from '../db/follow-up.js'
import { getMatch } from '../db/matches.js'
import { getRegion } from '../db/regions.js'
import type { Match } from '../db/schema.js'
import { warmHandoverDueAt } from '../domain/follow-up.js'
import { toMatchView } from '../views/match-view.js'
import type { MatchView } from '../views/schemas.js'
import { visibleMatch } from './visible-match.js'

/**
 * The coordinator records the warm handover (warme overdracht): care is arranged and the family arrived —
 * not a transfer of coordination. Only the organisation that accepted coordination may; on a closed match
 * (the transferring party withdrew) it still may until the region's `warmHandoverWithin` has passed.
 */
export async function recordWarmHandover(
  ctx: MatchContext,
  actor: Actor,
  organisationId: string,
  matchId: string,
): Promise<MatchView> {
  const now = ctx.clock.now()
  await ctx.db.transaction().execute(async (trx) => {
    const match = await lockMatch(trx, matchId)
    const coordination = match ? await lockCoordination(trx, matchId) : undefined
    const isCoordinator = coordination?.organisationId === organisationId && coordination.acceptedAt !== null
    if (!match || !isCoordinator) {
      // Who may not see the match gets 404; a party that may see it but does not coordinate gets 403.
      const seen = await visibleMatch(ctx.db, actor, matchId, organisationId)
      await recordDenied(ctx.db, actor, {
        subjectKey: seen.subjectKey,
        resource: { type: 'match', id: matchId },
      })
      throw new ProblemError(
        'forbidden',
        'Only the organisation that accepted coordination records the warm handover',
      )
    }
    if (match.warmHandoverAt) throw new ProblemError('conflict', 'The warm handover is already recorded')
    if (match.status === 'closed') {
      const region = match.regionCode ? await getRegion(trx, match.regionCode) : undefined
      const rules = region?.document.followUp
      if (!rules || now >= warmHandoverDueAt(match.createdAt, rules, region.document.holidays))
        throw new ProblemError('conflict', 'This match is closed and its warm handover window has passed')
    }
    await markMatch(trx, matchId, { warmHandoverAt: now, warmHandoverBy: organisationId })
    await recordAudit(trx, actor, 'match.warm_handover', {
      subjectKey: match.subjectKey,
      resource: { type: 'match', id: matchId },
    })
  })
  return toMatchView(ctx.db, (await getMatch(ctx.db, matchId)) as Match, organisationId, now)
}
