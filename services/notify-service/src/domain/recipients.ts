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

/** Event types that designate an organisation: its mailbox hears of them (the coordination or transfer it must answer). */
const DESIGNATING: readonly NotificationEvent['type'][] = [
  'coordination.proposed',
  'coordination.transfer_requested',
]

/**
 * Whether an organisation the event names beside the parties hears of it in its functional mailbox: it
 * does when the event concerns the organisation as such — coordination designated to it, an escalation
 * reaching it — or when it has no professional among the parties to hear of it instead.
 */
function mailboxHears(event: NotificationEvent, organisationId: string): boolean {
  if (!event.parties.some((p) => p.organisation.id === organisationId && p.leftAt === null)) return true
  if (event.type === 'coordination.escalated') return true
  if (!DESIGNATING.includes(event.type)) return false
  const c = event.coordination
  return c?.organisation?.id === organisationId || c?.pendingTransfer?.organisation.id === organisationId
}

/**
 * Who hears of an event, and by which channel (docs/architecture.md §8):
 * - e-mail: every party's professional (but a party marked `told: false`, named to the others only) (their contact e-mail; the organisation's mailbox when that is not
 *   an e-mail address), and the mailbox of an organisation the event names when it concerns the
 *   organisation as such (mailboxHears); an address appearing twice in one event is written to once;
 * - webhook: every registered webhook of the parties' and named organisations, once per webhook.
 * The organisation a notification is "for" (who may read its status) is the first that brought the address.
 * Each e-mail notification gets its own Message-ID here; messageIds() then gives every notification of one
 * message the message's.
 */
export function planNotifications(
  event: NotificationEvent,
  webhooks: readonly RegisteredWebhook[],
  mailDomain: string,
): { planned: PlannedNotification[]; skippedAddresses: number } {
  const planned: PlannedNotification[] = []
  const seenAddresses = new Set<string>()
  let skippedAddresses = 0
  const plausible = (address: string) => PLAUSIBLE_ADDRESS.test(address.trim().toLowerCase())
  const addEmail = (address: string, organisationId: string) => {
    const recipient = address.trim().toLowerCase()
    if (!plausible(recipient)) {
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
    if (party.told === false) continue
    if (plausible(party.contact.email)) addEmail(party.contact.email, party.organisation.id)
    else {
      skippedAddresses++
      addEmail(party.organisation.email, party.organisation.id)
    }
    addOrganisation(party.organisation.id)
  }
  for (const organisation of event.organisations) {
    if (mailboxHears(event, organisation.id)) addEmail(organisation.email, organisation.id)
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

/**
 * The Message-ID of a mail carrying these notifications: it follows from their ids (in any order), so the
 * same notifications make the same message on every attempt, and a receiver can drop a duplicate.
 */
export function messageIdOf(notificationIds: readonly string[], mailDomain: string): string {
  const digest = createHash('sha256')
    .update([...notificationIds].sort().join('\u0000'))
    .digest('base64url')
    .slice(0, 32)
  return `<${notificationIds.length === 1 ? notificationIds[0] : `m.${digest}`}@${mailDomain}>`
}

/**
 * One message per address: the e-mail notifications of one batch (the events of one transaction) to one
 * address share the Message-ID of the set. Webhooks keep one delivery per event.
 */
export function messageIds(planned: PlannedNotification[], mailDomain: string): PlannedNotification[] {
  const byRecipient = new Map<string, string[]>()
  for (const p of planned) {
    if (p.channel !== 'email') continue
    byRecipient.set(p.recipient, [...(byRecipient.get(p.recipient) ?? []), p.id])
  }
  return planned.map((p) =>
    p.channel === 'email'
      ? { ...p, messageId: messageIdOf(byRecipient.get(p.recipient) as string[], mailDomain) }
      : p,
  )
}

/** The organisations an event tells: whose webhooks to look up. */
export function organisationsOf(event: NotificationEvent): string[] {
  const told = event.parties.filter((p) => p.told !== false)
  return [...new Set([...told.map((p) => p.organisation.id), ...event.organisations.map((o) => o.id)])]
}
