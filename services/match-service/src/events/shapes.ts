import { randomUUID } from 'node:crypto'
import type { EventParty, NotificationEvent } from '@verwijsindex/shared'
import type { PartyRow } from '../db/match-parties.js'

export function toEventParty(
  p: Omit<PartyRow, 'notifiedAt' | 'contactedAt' | 'contactedOrganisations'>,
): EventParty {
  return {
    registrationId: p.registrationId,
    organisation: {
      id: p.organisationId,
      name: p.organisationName,
      sector: p.organisationSector,
      email: p.organisationEmail,
    },
    contact: { name: p.contactName, email: p.contactEmail, phone: p.contactPhone },
    kind: p.kind,
    externalReference: p.externalReference,
    since: p.joinedAt.toISOString(),
    leftAt: p.leftAt?.toISOString() ?? null,
  }
}

export function baseEvent(
  type: NotificationEvent['type'],
  now: Date,
): Omit<NotificationEvent, 'parties' | 'matchId'> {
  return {
    eventId: randomUUID(),
    type,
    occurredAt: now.toISOString(),
    registrationId: null,
    organisations: [],
    coordination: null,
    endsAt: null,
  }
}
