import {
  isDatabaseUnavailable,
  type NotificationEvent,
  notificationEventSchema,
  recordAudit,
  serviceActor,
} from '@verwijsindex/shared'
import { storedEventPayload } from '../db/events.js'
import { recordAttempt } from '../db/notifications.js'
import type { Notification } from '../db/schema.js'
import { getWebhook } from '../db/webhooks.js'
import type { MailSender } from '../delivery/email.js'
import { postWebhook } from '../delivery/webhook.js'
import { renderEmail } from '../domain/mail/render.js'
import { webhookPayload } from '../domain/payload.js'
import { perspectiveOf } from '../domain/perspective.js'
import { type DeliveryOutcome, type NextState, nextState } from '../domain/retry.js'
import { type NotifyContext, SERVICE_NAME } from './context.js'

export interface DeliveryDeps extends NotifyContext {
  /** Null without SMTP_URL: e-mail then waits. */
  mail: MailSender | null
}

export type AttemptStatus = 'sent' | 'failed' | 'dead'

/**
 * One attempt at a claimed notification: send it, then record the outcome (only while this worker still
 * holds the claim) and the audit event in one transaction. A send that throws counts as a temporary
 * failure; a failure to record is thrown, and the claim's lease running out brings the notification back.
 */
export async function attemptDelivery(
  deps: DeliveryDeps,
  notification: Notification,
  token: string,
  at: () => Date,
): Promise<AttemptStatus> {
  let outcome: DeliveryOutcome
  let eventType = 'unknown'
  try {
    const payload = await storedEventPayload(deps.db, notification.eventId)
    if (payload === undefined) throw new Error(`no event ${notification.eventId}`)
    const event = notificationEventSchema.parse(payload)
    eventType = event.type
    outcome = await send(deps, notification, event, at())
  } catch (error) {
    // A bug or a lost database connection: counted as a temporary failure like any other.
    deps.log.error({ err: error, notificationId: notification.id }, 'notification attempt failed')
    outcome = {
      kind: 'temporary',
      error: `internal: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500),
    }
  }
  const now = at()
  const state = nextState(outcome, notification.attempts, deps.config.notify.maxAttempts, now)
  // Once sent, losing the outcome would send the mail again after the lease, and leave it unaudited. So a
  // database that is away (restart, failover, exhaustion) is waited for, well within the claim's lease.
  await retryWhileUnavailable(deps, notification.id, () =>
    recordOutcome(deps, notification, token, state, eventType, now),
  )
  if (state.status === 'sent') {
    deps.log.info({ notificationId: notification.id, channel: notification.channel }, 'notification sent')
  } else {
    deps.log.warn(
      {
        notificationId: notification.id,
        channel: notification.channel,
        status: state.status,
        error: state.error,
      },
      'notification not delivered',
    )
  }
  return state.status
}

/** The outcome and its audit event, in one transaction. */
async function recordOutcome(
  deps: DeliveryDeps,
  notification: Notification,
  token: string,
  state: NextState,
  eventType: string,
  now: Date,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
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
    // NEN 7513: a send discloses who is involved with a child; each attempt is in the trail.
    await recordAudit(trx, serviceActor(SERVICE_NAME, now), 'notification.send', {
      outcome: state.status === 'sent' ? 'success' : 'error',
      resource: { type: 'notification', id: notification.id },
      purpose: `${eventType} by ${notification.channel} to ${notification.organisationId}`,
    })
  })
}

/** Waits between tries to record an outcome: 0.25 s doubling to 15 s, about 2 minutes in all (lease: 5). */
const RECORD_BACKOFF_MS = [
  250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000, 15_000, 15_000, 15_000, 15_000,
]

async function retryWhileUnavailable(
  deps: DeliveryDeps,
  notificationId: string,
  record: () => Promise<void>,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await record()
    } catch (error) {
      const wait = RECORD_BACKOFF_MS[attempt]
      if (wait === undefined || !isDatabaseUnavailable(error)) throw error
      deps.log.warn(
        { err: error, notificationId, attempt: attempt + 1 },
        'could not record an attempt yet; retrying',
      )
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }
}

/** The notification as the recipient's channel carries it: a rendered mail, or a signed webhook POST. */
async function send(
  deps: DeliveryDeps,
  notification: Notification,
  event: NotificationEvent,
  now: Date,
): Promise<DeliveryOutcome> {
  if (notification.channel === 'email') {
    if (!deps.mail) return { kind: 'temporary', error: 'no SMTP_URL configured' }
    const perspective = perspectiveOf(event, notification.organisationId, notification.recipient)
    return deps.mail.send({
      to: notification.recipient,
      messageId: notification.messageId,
      language: notification.language,
      notificationId: notification.id,
      ...renderEmail(event, perspective, notification.language),
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
      production: deps.config.nodeEnv === 'production',
    },
  )
}
