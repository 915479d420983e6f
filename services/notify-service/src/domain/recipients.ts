import { createHash } from 'node:crypto'
import type { NotificationEvent } from '@verwijsindex/shared'
import type { Channel } from './notification.js'

/** One notification the event calls for, before it is recorded. */
export interface PlannedNotification {
  id: string
  channel: Channel
  /** The e-mail address (lower case) or the webhook id. */
  recipient: string
  organisationId: string
  webhookId: string | null
  /** Message-ID for e-mail (`<id@domain>`), webhook-id for webhooks. */
  messageId: string
}

export interface RegisteredWebhook {
  id: string
  organisationId: string
}

const PLAUSIBLE_ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/

/**
 * The notification's id follows from its key (event, channel, recipient): a redelivered queue job, or the
 * same event parsed again, yields the same id, and so the same Message-ID / webhook-id. (A UUID-shaped
 * SHA-256 digest, version nibble 8: "custom".)
 */
export function notificationId(eventId: string, channel: Channel, recipient: string): string {
  const hex = createHash('sha256').update(`${eventId}\u0000${channel}\u0000${recipient}`).digest('hex')
  const variant = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/** The domain of MAIL_FROM, for Message-IDs (RFC 5322 wants a domain the sender controls). */
export function messageIdDomain(mailFrom: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(mailFrom.trim())
  return match?.[1]?.toLowerCase() ?? 'verwijsindex'
}

/**
 * Who hears of an event, and by which channel (docs/architecture.md, issue 6):
 * - e-mail: every party's professional (contact email) and organisation mailbox, and every organisation
 *   the event names beside the parties (the designated coordinator, an escalation step's organisations);
 *   an address appearing twice in one event is written to once;
 * - webhook: every registered webhook of those organisations, once per webhook.
 * The organisation a notification is "for" (who may read its status) is the first that brought the address.
 */
export function planNotifications(
  event: NotificationEvent,
  webhooks: readonly RegisteredWebhook[],
  mailDomain: string,
): { planned: PlannedNotification[]; skippedAddresses: number } {
  const planned: PlannedNotification[] = []
  const seenAddresses = new Set<string>()
  let skippedAddresses = 0
  const addEmail = (address: string, organisationId: string) => {
    const recipient = address.trim().toLowerCase()
    if (!PLAUSIBLE_ADDRESS.test(recipient)) {
      skippedAddresses++
      return
    }
    if (seenAddresses.has(recipient)) return
    seenAddresses.add(recipient)
    const id = notificationId(event.eventId, 'email', recipient)
    planned.push({
      id,
      channel: 'email',
      recipient,
      organisationId,
      webhookId: null,
      messageId: `<${id}@${mailDomain}>`,
    })
  }
  const organisations: string[] = []
  const addOrganisation = (id: string) => {
    if (!organisations.includes(id)) organisations.push(id)
  }
  for (const party of event.parties) {
    addEmail(party.contact.email, party.organisation.id)
    addEmail(party.organisation.email, party.organisation.id)
    addOrganisation(party.organisation.id)
  }
  for (const organisation of event.organisations) {
    addEmail(organisation.email, organisation.id)
    addOrganisation(organisation.id)
  }
  for (const organisationId of organisations) {
    for (const webhook of webhooks.filter((w) => w.organisationId === organisationId)) {
      const id = notificationId(event.eventId, 'webhook', webhook.id)
      planned.push({
        id,
        channel: 'webhook',
        recipient: webhook.id,
        organisationId,
        webhookId: webhook.id,
        messageId: id,
      })
    }
  }
  return { planned, skippedAddresses }
}

/** The organisations an event concerns: whose webhooks to look up. */
export function organisationsOf(event: NotificationEvent): string[] {
  return [
    ...new Set([...event.parties.map((p) => p.organisation.id), ...event.organisations.map((o) => o.id)]),
  ]
}
