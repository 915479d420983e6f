import type { EventOrganisation, EventParty, NotificationEvent } from '@verwijsindex/shared'
import { redactReference } from './redact.js'

/**
 * An event as one recipient may see it: the other parties in full (organisation, professional, phone,
 * e-mail), its own organisation's parties with their externalReference, and never another party's
 * externalReference or registration id (docs/architecture.md: "registrationId (the caller's own only)").
 */
export interface Perspective {
  organisationId: string
  organisationName: string
  /** The professional's name when the recipient is a party's professional; null for a mailbox. */
  professionalName: string | null
  /** The recipient's own organisation's parties (usually one). */
  own: EventParty[]
  /** Every other party, including those that left with this event (leftAt set). */
  others: EventParty[]
  /** The recipient's own references, masked where they look like a BSN, date or postcode. */
  ownReferences: string[]
  /** True when the recipient is named by the event beside the parties (coordinator, escalation step). */
  namedOrganisation: boolean
}

export function perspectiveOf(
  event: NotificationEvent,
  organisationId: string,
  address: string | null,
): Perspective {
  const own = event.parties.filter((p) => p.organisation.id === organisationId)
  const others = event.parties.filter((p) => p.organisation.id !== organisationId)
  const named: EventOrganisation | undefined = event.organisations.find((o) => o.id === organisationId)
  const professional = address
    ? own.find((p) => p.contact.email.trim().toLowerCase() === address.toLowerCase())
    : undefined
  return {
    organisationId,
    organisationName: own[0]?.organisation.name ?? named?.name ?? organisationId,
    professionalName: professional?.contact.name ?? null,
    own,
    others,
    ownReferences: [
      ...new Set(own.flatMap((p) => (p.externalReference ? [redactReference(p.externalReference)] : []))),
    ],
    namedOrganisation: named !== undefined,
  }
}

/** The party the event is about (joined, left, ending), if the event names one. */
export function subjectParty(event: NotificationEvent): EventParty | undefined {
  return event.registrationId
    ? event.parties.find((p) => p.registrationId === event.registrationId)
    : undefined
}
