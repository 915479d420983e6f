import { amsterdamDate, recordAudit, serviceActor } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { lockExistingSubject, subjectsAtAgeLimit } from '../db/subjects.js'
import { endAndDestroySubject } from './erase-subject.js'
import { SERVICE } from './scheduled-changes.js'

/** From the 23rd birthday the index may hold nothing about the child. */
export async function destroyAtAgeLimit(ctx: MatchContext, now: Date): Promise<number> {
  let destroyed = 0
  for (const subjectKey of await subjectsAtAgeLimit(ctx.db, amsterdamDate(now))) {
    await ctx.db.transaction().execute(async (trx) => {
      if (!(await lockExistingSubject(trx, subjectKey, { skipLocked: true }))) return
      await endAndDestroySubject(ctx, trx, subjectKey, 'age_limit', now)
      await recordAudit(trx, serviceActor(SERVICE, now), 'subject.destroy', {
        subjectKey,
        resource: { type: 'subject', id: null },
        purpose: 'age_limit',
      })
      destroyed++
    })
  }
  return destroyed
}
