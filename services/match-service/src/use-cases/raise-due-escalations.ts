import type { MatchContext } from '../context.js'
import { awaitingCoordinationIds, claimAwaitingCoordination } from '../db/coordination.js'
import { getRegion } from '../db/regions.js'
import { dueEscalationLevel } from '../domain/escalation.js'
import { reachEscalation } from './reach-escalation.js'
import { publishScheduledChanges } from './scheduled-changes.js'

/**
 * Raises the escalation ladder of every proposed or unassigned coordination whose step deadlines have
 * passed on `now`. Rows are claimed with SKIP LOCKED in one transaction each, so replicas running the job
 * at once split the work, and a rerun after a crash does only what is left.
 */
export async function runCoordinationDeadlines(ctx: MatchContext, now: Date): Promise<number> {
  let raised = 0
  for (const matchId of await awaitingCoordinationIds(ctx.db)) {
    await ctx.db.transaction().execute(async (trx) => {
      const c = await claimAwaitingCoordination(trx, matchId)
      if (!c?.regionCode) return
      const region = await getRegion(trx, c.regionCode, c.regionVersion ?? undefined)
      if (!region) return
      const level = dueEscalationLevel(c, region.document, now)
      if (level <= c.escalationLevel) return
      const changes = await reachEscalation(trx, c, level, now, 'deadline')
      await publishScheduledChanges(ctx, trx, changes, c.subjectKey, now)
      raised++
    })
  }
  return raised
}
