import {
  type EventOrganisation,
  type EventParty,
  isSector,
  type NotificationEvent,
  type WebhookPayload,
} from '@verwijsindex/shared'

export type { WebhookPayload }

import type { Perspective } from './perspective.js'
import { redactReference } from './redact.js'

/**
 * The JSON a webhook receives, in the Standard Webhooks shape `{type, timestamp, data}`: the event type
 * and ids, and the same facts a mail gives under the same privacy rules — the other parties with their
 * contact details, the receiving organisation's own parties with their reference and registration id, and
 * nothing about the child.
 */
type OrganisationRef = WebhookPayload['data']['organisations'][number]

const organisationOf = (o: EventOrganisation): OrganisationRef => ({
  id: o.id,
  name: o.name,
  // Events carry the sector as stored, which the organisation schema keeps to the closed list.
  sector: isSector(o.sector) ? o.sector : 'other',
})

export function webhookPayload(
  event: NotificationEvent,
  perspective: Perspective,
  notificationId: string,
): WebhookPayload {
  const party = (p: EventParty, own: boolean) => ({
    own,
    registrationId: own ? p.registrationId : null,
    organisation: organisationOf(p.organisation),
    contact: { name: p.contact.name, email: p.contact.email, phone: p.contact.phone },
    kind: p.kind,
    // Own references are shown masked like in mail; another party's never.
    externalReference: own && p.externalReference ? redactReference(p.externalReference) : null,
    since: p.since,
    leftAt: p.leftAt,
  })
  const coordination = event.coordination
  return {
    type: event.type,
    timestamp: event.occurredAt,
    data: {
      eventId: event.eventId,
      notificationId,
      matchId: event.matchId,
      // The registration an event is about is another organisation's when it joined or left.
      registrationId:
        event.registrationId && perspective.own.some((p) => p.registrationId === event.registrationId)
          ? event.registrationId
          : null,
      organisation: perspective.organisationId,
      parties: [
        ...perspective.own.map((p) => party(p, true)),
        ...perspective.others.map((p) => party(p, false)),
      ],
      organisations: event.organisations.map(organisationOf),
      coordination: coordination
        ? {
            organisation: coordination.organisation ? organisationOf(coordination.organisation) : null,
            status: coordination.status,
            dueAt: coordination.dueAt,
            escalationLevel: coordination.escalationLevel,
            pendingTransfer: coordination.pendingTransfer
              ? {
                  organisation: organisationOf(coordination.pendingTransfer.organisation),
                  proposedAt: coordination.pendingTransfer.proposedAt,
                }
              : null,
            reason: coordination.reason,
          }
        : null,
      endsAt: event.endsAt,
    },
  }
}
