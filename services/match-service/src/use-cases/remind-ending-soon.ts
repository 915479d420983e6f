import { type NotificationEvent, recordAudit, serviceActor } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { claimRegistrationsEndingSoon } from '../db/registrations.js'
import { daysAfter } from '../domain/registration.js'
import { publish } from '../events/publish.js'
import { registrationEvent } from '../events/registration-events.js'
import { SERVICE } from './scheduled-changes.js'

/** How long before its end a registrant is reminded to withdraw or extend. */
export const REMINDER_DAYS = 30

/** Reminds each registrant once, 30 days before the end, to withdraw or extend. */
export async function remindEndingSoon(ctx: MatchContext, now: Date): Promise<number> {
  const horizon = daysAfter(now, REMINDER_DAYS)
  return ctx.db.transaction().execute(async (trx) => {
    const due = await claimRegistrationsEndingSoon(trx, now, horizon)
    const events: NotificationEvent[] = []
    for (const registration of due) {
      events.push(await registrationEvent(trx, registration, 'registration.ending_soon', now))
      await recordAudit(trx, serviceActor(SERVICE, now), 'registration.remind', {
        subjectKey: registration.subjectKey,
        resource: { type: 'registration', id: registration.id },
      })
    }
    await publish(ctx.boss, trx, events)
    return due.length
  })
}
