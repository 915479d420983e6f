import { amsterdamDate } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { openMatchesWithBirthday } from '../db/matches.js'
import { reevaluate } from './reevaluate-coordination.js'
import { publishScheduledChanges } from './scheduled-changes.js'

/** Re-evaluates the matches of children whose birthday is today: an age boundary may have been crossed. */
export async function reevaluateBirthdays(ctx: MatchContext, now: Date): Promise<number> {
  const monthDay = amsterdamDate(now).slice(5)
  let changed = 0
  for (const { id, subjectKey } of await openMatchesWithBirthday(ctx.db, monthDay)) {
    await ctx.db.transaction().execute(async (trx) => {
      const changes = await reevaluate(trx, id, now)
      await publishScheduledChanges(ctx, trx, changes, subjectKey, now)
      if (changes.length > 0) changed++
    })
  }
  return changed
}
