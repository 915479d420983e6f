import type { NotificationEvent } from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import type { HouseholdPartyRow } from '../db/households.js'
import { openMatchOf } from '../db/matches.js'
import { eventOrganisations } from '../db/organisations.js'
import type { MatchDatabase, Registration } from '../db/schema.js'
import { baseEvent, toEventParty } from './shapes.js'

/** Tells the registrant about its own registration: ending soon, or ended (withdrawn, expired, erased). */
export async function registrationEvent(
  trx: Transaction<MatchDatabase>,
  registration: Registration,
  type: 'registration.ending_soon' | 'registration.ended',
  now: Date,
): Promise<NotificationEvent> {
  const [org] = await eventOrganisations(trx, [registration.organisationId])
  if (!org) throw new Error(`organisation ${registration.organisationId} of a registration is missing`)
  return {
    ...baseEvent(type, now),
    matchId: null,
    registrationId: registration.id,
    endsAt: (registration.endedAt ?? registration.endsAt).toISOString(),
    parties: [
      {
        registrationId: registration.id,
        organisation: org,
        contact: {
          name: registration.contactName,
          email: registration.contactEmail,
          phone: registration.contactPhone,
        },
        kind: registration.kind,
        externalReference: registration.externalReference,
        since: registration.createdAt.toISOString(),
        leftAt: registration.endedAt?.toISOString() ?? null,
      },
    ],
  }
}

/**
 * A household link ("één gezin, één plan"): a registration and other organisations' registrations on other
 * children of its household, each named to the others. Who hears of it (`told`) is the caller's to say: a
 * registration hears of household links only once they show to it (domain/household.ts).
 */
export async function householdEvent(
  trx: Transaction<MatchDatabase>,
  registration: Registration,
  links: HouseholdPartyRow[],
  told: { registrant: boolean; link: (link: HouseholdPartyRow) => boolean },
  now: Date,
): Promise<NotificationEvent> {
  const own = await registrationEvent(trx, registration, 'registration.ended', now)
  const tell = (yes: boolean) => (yes ? {} : { told: false })
  const open = await openMatchOf(trx, registration.subjectKey)
  return {
    ...baseEvent('household.linked', now),
    matchId: open?.id ?? null,
    registrationId: registration.id,
    parties: [
      ...own.parties.map((p) => ({ ...p, ...tell(told.registrant) })),
      ...links.map((l) => ({
        ...toEventParty({ ...l, joinedAt: l.createdAt, leftAt: null }),
        ...tell(told.link(l)),
      })),
    ],
  }
}
