import type { NotificationEvent } from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import { householdLinks } from '../db/households.js'
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
 * A new registration in a household where other organisations are involved with other children: every
 * one of them, and the registrant, hears of the others ("één gezin, één plan").
 */
export async function householdEvent(
  trx: Transaction<MatchDatabase>,
  registration: Registration,
  now: Date,
): Promise<NotificationEvent | undefined> {
  if (!registration.householdKey) return undefined
  const links = await householdLinks(
    trx,
    registration.householdKey,
    registration.subjectKey,
    registration.organisationId,
  )
  if (links.length === 0) return undefined
  const own = await registrationEvent(trx, registration, 'registration.ended', now)
  const toParty = (l: (typeof links)[number]) => toEventParty({ ...l, joinedAt: l.createdAt, leftAt: null })
  const open = await openMatchOf(trx, registration.subjectKey)
  return {
    ...baseEvent('household.linked', now),
    matchId: open?.id ?? null,
    registrationId: registration.id,
    parties: [...own.parties, ...links.map(toParty)],
  }
}
