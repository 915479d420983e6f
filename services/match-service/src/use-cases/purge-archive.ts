import { recordAudit, serviceActor } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { destroyMatch, emptyClosedMatchIds } from '../db/matches.js'
import { archivedRegistrationsDue, deleteEndedRegistration, hasRegistrations } from '../db/registrations.js'
import { destroySubject, lockExistingSubject } from '../db/subjects.js'
import { SERVICE } from './scheduled-changes.js'

/** The archive keeps an ended registration this long (Jeugdwet 7.1.4.6, as we read it), then destroys it. */
export const ARCHIVE_YEARS = 5

/** Destroys archived registrations 5 years after they ended, with whatever only they held up. */
export async function purgeArchive(ctx: MatchContext, now: Date): Promise<number> {
  let purged = 0
  for (const { id, subjectKey } of await archivedRegistrationsDue(ctx.db, now, ARCHIVE_YEARS)) {
    await ctx.db.transaction().execute(async (trx) => {
      if (!(await lockExistingSubject(trx, subjectKey))) return
      if (!(await deleteEndedRegistration(trx, id))) return
      // Closed matches nobody is left in go too; so does the child once nothing at all is left.
      for (const matchId of await emptyClosedMatchIds(trx, subjectKey)) await destroyMatch(trx, matchId)
      if (!(await hasRegistrations(trx, subjectKey))) await destroySubject(trx, subjectKey)
      await recordAudit(trx, serviceActor(SERVICE, now), 'registration.purge', {
        subjectKey,
        resource: { type: 'registration', id },
      })
      purged++
    })
  }
  return purged
}
