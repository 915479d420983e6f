import { recordAudit, serviceActor } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { claimExpiredRegistration, expiredRegistrationIds } from '../db/registrations.js'
import { endRegistration } from './end-registration.js'
import { SERVICE } from './scheduled-changes.js'

/** Ends registrations whose duration has run out. Each in its own transaction; a rerun does only what is left. */
export async function expireRegistrations(ctx: MatchContext, now: Date): Promise<number> {
  let expired = 0
  for (const id of await expiredRegistrationIds(ctx.db, now)) {
    await ctx.db.transaction().execute(async (trx) => {
      const registration = await claimExpiredRegistration(trx, id, now)
      if (!registration) return
      await endRegistration(ctx, trx, registration, 'expired', now)
      await recordAudit(trx, serviceActor(SERVICE, now), 'registration.expire', {
        subjectKey: registration.subjectKey,
        resource: { type: 'registration', id },
      })
      expired++
    })
  }
  return expired
}
