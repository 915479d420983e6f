import {
  findOrganisations,
  type NotificationEvent,
  notificationEventSchema,
  type Organisation,
  type PgBoss,
} from '@verwijsindex/shared'
import { storedEventPayloads } from '../db/events.js'
import type { Notification } from '../db/schema.js'
import { getWebhook } from '../db/webhooks.js'
import type { MailSender } from '../delivery/email.js'
import { postWebhook } from '../delivery/webhook.js'
import { urlPolicyOf } from '../domain/address-policy.js'
import { renderEmails } from '../domain/mail/render.js'
import { webhookPayload } from '../domain/payload.js'
import { perspectiveOf } from '../domain/perspective.js'
import type { DeliveryOutcome } from '../domain/retry.js'
import type { NotifyContext } from './context.js'

export interface DeliveryDeps extends NotifyContext {
  /** Null without SMTP_URL: e-mail then waits. */
  mail: MailSender | null
  /** The service's pg-boss: a delivery about a match is reported back to match-service on it. */
  queue?: () => Promise<PgBoss>
}

/** What a claimed batch of messages needs from the database, read once for the whole batch. */
export interface BatchLookups {
  /** The stored events, by event id. */
  payloads: Map<string, unknown>
  /** The recipient organisations, by id (a missing one is treated as deactivated). */
  organisations: Map<string, Organisation>
}

export async function lookUpBatch(deps: DeliveryDeps, messages: Notification[][]): Promise<BatchLookups> {
  const notifications = messages.flat()
  const [payloads, organisations] = await Promise.all([
    storedEventPayloads(
      deps.db,
      notifications.map((n) => n.eventId),
    ),
    findOrganisations(
      deps.db,
      notifications.map((n) => n.organisationId),
    ),
  ])
  return { payloads, organisations }
}

/** One attempt at one message, before it is recorded. */
export interface Attempt {
  /** The notifications the message carries: one e-mail to one address, or one webhook delivery. */
  message: Notification[]
  outcome: DeliveryOutcome
  /** Per notification id: its event's type (for the audit trail) and match (reported back when sent). */
  eventTypes: Map<string, string>
  matchIds: Map<string, string>
}

/**
 * One attempt at a claimed message: send it, and say how it went. A send that throws (a bug, an event that
 * no longer parses) counts as a temporary failure like any other; recording the outcome is the caller's.
 */
export async function attemptMessage(
  deps: DeliveryDeps,
  lookups: BatchLookups,
  message: Notification[],
  now: Date,
): Promise<Attempt> {
  const eventTypes = new Map<string, string>()
  const matchIds = new Map<string, string>()
  try {
    const carried = message.map((n) => {
      const payload = lookups.payloads.get(n.eventId)
      if (payload === undefined) throw new Error(`no event ${n.eventId}`)
      const event = notificationEventSchema.parse(payload)
      eventTypes.set(n.id, event.type)
      if (event.matchId) matchIds.set(n.id, event.matchId)
      return { notification: n, event }
    })
    return { message, outcome: await send(deps, lookups, carried, now), eventTypes, matchIds }
  } catch (error) {
    deps.log.error({ err: error, notificationIds: message.map((n) => n.id) }, 'notification attempt failed')
    const text = `internal: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500)
    return { message, outcome: { kind: 'temporary', error: text }, eventTypes, matchIds }
  }
}

/** The message as the recipient's channel carries it: one rendered mail, or a signed webhook POST. */
async function send(
  deps: DeliveryDeps,
  lookups: BatchLookups,
  carried: { notification: Notification; event: NotificationEvent }[],
  now: Date,
): Promise<DeliveryOutcome> {
  const { notification, event } = carried[0] as (typeof carried)[number]
  // A deactivated organisation hears nothing more, by mail or webhook: checked at delivery, so messages
  // already queued stop too. Permanent (dead): reactivation does not replay what it missed.
  const recipient = lookups.organisations.get(notification.organisationId)
  if (!recipient?.active) return { kind: 'permanent', error: 'organisation deactivated' }
  if (notification.channel === 'email') {
    if (!deps.mail) return { kind: 'temporary', error: 'no SMTP_URL configured' }
    const parts = carried
      .toSorted((a, b) => a.event.occurredAt.localeCompare(b.event.occurredAt))
      .map((c) => ({
        event: c.event,
        perspective: perspectiveOf(c.event, c.notification.organisationId, c.notification.recipient),
      }))
    return deps.mail.send({
      to: notification.recipient,
      messageId: notification.messageId,
      language: notification.language,
      notificationId: carried.map((c) => c.notification.id).join(', '),
      ...renderEmails(parts, notification.language),
    })
  }
  const webhook = notification.webhookId ? await getWebhook(deps.db, notification.webhookId) : undefined
  if (!webhook || webhook.deletedAt || !webhook.secret) return { kind: 'permanent', error: 'webhook deleted' }
  const perspective = perspectiveOf(event, notification.organisationId, null)
  return postWebhook(
    {
      url: webhook.url,
      secret: webhook.secret,
      id: notification.messageId,
      timestamp: now,
      body: JSON.stringify(webhookPayload(event, perspective, notification.id)),
    },
    {
      timeoutMs: deps.config.notify.webhookTimeoutSeconds * 1000,
      policy: urlPolicyOf(deps.config),
    },
  )
}
