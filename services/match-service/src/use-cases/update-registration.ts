import { type Actor, ProblemError, recordAudit, ruleViolation } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { updateActiveRegistration } from '../db/registrations.js'
import type { Organisation } from '../db/schema.js'
import { daysAfter, maxDurationDays } from '../domain/registration.js'
import { viewOf } from '../views/registration-view.js'
import type { RegistrationView } from '../views/schemas.js'
import { ownRegistration } from './own-registration.js'
import type { Contact } from './register.js'
import { registrationRegion } from './registration-region.js'

/** The registrant changes its contact, or the duration (counted from the registration's creation). */
export async function updateRegistration(
  ctx: MatchContext,
  actor: Actor,
  organisation: Organisation,
  id: string,
  changes: { contact?: Contact | undefined; durationDays?: number | undefined },
): Promise<RegistrationView> {
  const registration = await ownRegistration(ctx.db, actor, organisation, id)
  const now = ctx.clock.now()
  if (registration.status !== 'active') throw new ProblemError('conflict', `Registration ${id} has ended`)
  let endsAt: Date | undefined
  if (changes.durationDays !== undefined) {
    const region = await registrationRegion(ctx.db, registration.municipality, organisation)
    const max = maxDurationDays(region.document.registration.maxDurationDays)
    if (changes.durationDays > max) {
      throw ruleViolation('/durationDays', `region ${region.code} allows at most ${max} days from creation`)
    }
    endsAt = daysAfter(registration.createdAt, changes.durationDays)
    if (endsAt <= now)
      throw ruleViolation('/durationDays', 'that duration has already passed; withdraw instead')
  }
  return ctx.db.transaction().execute(async (trx) => {
    const updated = await updateActiveRegistration(trx, id, {
      ...(endsAt ? { endsAt } : {}),
      ...(changes.contact
        ? {
            contactName: changes.contact.name,
            contactEmail: changes.contact.email,
            contactPhone: changes.contact.phone,
          }
        : {}),
    })
    if (!updated) throw new ProblemError('conflict', `Registration ${id} has ended`)
    await recordAudit(trx, actor, 'registration.update', {
      subjectKey: updated.subjectKey,
      resource: { type: 'registration', id },
    })
    return viewOf(trx, updated, organisation)
  })
}
