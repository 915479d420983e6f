import {
  findOrganisation,
  inTransaction,
  isDatabaseUnavailable,
  type NotificationDelivered,
  type NotificationEvent,
  notificationEventSchema,
  type PgBoss,
  QUEUES,
  recordAudit,
  serviceActor,
} from '@verwijsindex/shared'
import { storedEventPayloads } from '../db/events.js'
import { recordAttempt } from '../db/notifications.js'
import type { Notification } from '../db/schema.js'
import { getWebhook } from '../db/webhooks.js'
import type { MailSender } from '../delivery/email.js'
import { postWebhook } from '../delivery/webhook.js'
import { urlPolicyOf } from '../domain/address-policy.js'
import { renderEmails } from '../domain/mail/render.js'
import { webhookPayload } from '../domain/payload.js'
import { perspectiveOf } from '../domain/perspective.js'
import { type DeliveryOutcome, type NextState, nextState } from '../domain/retry.js'
import { type NotifyContext, SERVICE_NAME } from './context.js'

export interface DeliveryDeps extends NotifyContext {
  /** Null without SMTP_URL: e-mail then waits. */
  mail: MailSender | null
  /** The service's pg-boss: a delivery about a match is reported back to match-service on it. */
  queue?: () => Promise<PgBoss>
}

export type AttemptStatus = 'sent' | 'failed' | 'dead'

/**
 * One attempt at a claimed message — an e-mail carrying one or more notifications to one address, or one
 * webhook delivery: send it, then record the outcome for each notification it carries (only while this
 * worker still holds the claim) and their audit events in one transaction. A send that throws counts as a
 * temporary failure; a failure to record is thrown, and the claim's lease running out brings it back.
 */
export async function attemptDelivery(
  deps: DeliveryDeps,
  message: Notification[],
  token: string,
  at: () => Date,
): Promise<AttemptStatus> {
  const first = message[0] as Notification
  let outcome: DeliveryOutcome
  const eventTypes = new Map<string, string>()
  const matchIds = new Map<string, string>()
  try {
    const payloads = await storedEventPayloads(
      deps.db,
      message.map((n) => n.eventId),
    )
    const carried = message.map((n) => {
      const payload = payloads.get(n.eventId)
      if (payload === undefined) throw new Error(`no event ${n.eventId}`)
      const event = notificationEventSchema.parse(payload)
      eventTypes.set(n.id, event.type)
      if (event.matchId) matchIds.set(n.id, event.matchId)
      return { notification: n, event }
    })
    outcome = await send(deps, carried, at())
  } catch (error) {
    // A bug or a lost database connection: counted as a temporary failure like any other.
    deps.log.error({ err: error, notificationIds: message.map((n) => n.id) }, 'notification attempt failed')
    outcome = {
      kind: 'temporary',
      error: `internal: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500),
    }
  }
  const now = at()
  // Every notification of a message was claimed, and recorded, together: they share their attempts.
  const state = nextState(outcome, first.attempts, deps.config.notify.maxAttempts, now)
  // Once sent, losing the outcome would send the mail again after the lease, and leave it unaudited. So a
  // database that is away (restart, failover, exhaustion) is waited for, well within the claim's lease.
  const ids = message.map((n) => n.id)
  await retryWhileUnavailable(deps, ids, () =>
    recordOutcome(deps, message, token, state, { eventTypes, matchIds }, now),
  )
  if (state.status === 'sent') {
    deps.log.info({ notificationIds: ids, channel: first.channel }, 'notification sent')
  } else {
    deps.log.warn(
      { notificationIds: ids, channel: first.channel, status: state.status, error: state.error },
      'notification not delivered',
    )
  }
  return state.status
}

/** The message as the recipient's channel carries it: one rendered mail, or a signed webhook POST. */
async function send(
  deps: DeliveryDeps,
  carried: { notification: Notification; event: NotificationEvent }[],
  now: Date,
): Promise<DeliveryOutcome> {
  const { notification, event } = carried[0] as (typeof carried)[number]
  // A deactivated organisation hears nothing more, by mail or webhook: checked at delivery, so messages
  // already queued stop too. Permanent (dead): reactivation does not replay what it missed.
  const recipient = await findOrganisation(deps.db, notification.organisationId)
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

/** The outcome of every notification the message carried, and their audit events, in one transaction. */
async function recordOutcome(
  deps: DeliveryDeps,
  message: Notification[],
  token: string,
  state: NextState,
  { eventTypes, matchIds }: { eventTypes: Map<string, string>; matchIds: Map<string, string> },
  now: Date,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    for (const notification of message) {
      const recorded = await recordAttempt(
        trx,
        notification.id,
        token,
        {
          status: state.status,
          nextAttemptAt: state.status === 'failed' ? state.nextAttemptAt : null,
          lastError: state.status === 'sent' ? null : state.error,
        },
        now,
      )
      if (!recorded) {
        deps.log.warn(
          { notificationId: notification.id },
          'claim lease ran out during the attempt; outcome not recorded',
        )
      }
      // The match shows when each party was first told (notifiedAt): match-service hears of it on the
      // queue, in this transaction, so a recorded send is reported exactly when it commits.
      const matchId = matchIds.get(notification.id)
      if (recorded && state.status === 'sent' && matchId && deps.queue) {
        const delivered: NotificationDelivered = {
          matchId,
          organisationId: notification.organisationId,
          deliveredAt: now.toISOString(),
        }
        await (await deps.queue()).send(QUEUES.deliveries, delivered, {
          db: inTransaction(trx),
          retryLimit: 5,
        })
      }
      // NEN 7513: a send discloses who is involved with a child; each attempt is in the trail.
      await recordAudit(trx, serviceActor(SERVICE_NAME, now), 'notification.send', {
        outcome: state.status === 'sent' ? 'success' : 'error',
        resource: { type: 'notification', id: notification.id },
        purpose: `${eventTypes.get(notification.id) ?? 'unknown'} by ${notification.channel} to ${notification.organisationId}`,
      })
    }
  })
}

/** Waits between tries to record an outcome: 0.25 s doubling to 15 s, about 2 minutes in all (lease: 5). */
const RECORD_BACKOFF_MS = [
  250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000, 15_000, 15_000, 15_000, 15_000,
]

async function retryWhileUnavailable(
  deps: DeliveryDeps,
  notificationIds: string[],
  record: () => Promise<void>,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await record()
    } catch (error) {
      const wait = RECORD_BACKOFF_MS[attempt]
      if (wait === undefined || !isDatabaseUnavailable(error)) throw error
      deps.log.warn(
        { err: error, notificationIds, attempt: attempt + 1 },
        'could not record an attempt yet; retrying',
      )
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }
}
