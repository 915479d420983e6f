import {
  inTransaction,
  type NotificationDelivered,
  type NotificationEvent,
  notificationEventSchema,
  type PgBoss,
  QUEUES,
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
import { type DeliveryOutcome, nextState } from '../domain/retry.js'
import { type NotifyContext, SERVICE_NAME } from './context.js'

export interface DeliveryDeps extends NotifyContext {
  /** Null without SMTP_URL: e-mail then waits. */
  mail: MailSender | null
  /** The service's pg-boss: a delivery about a match is reported back to match-service on it. */
  queue?: () => Promise<PgBoss>
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
  let matchId: string | null = null
  try {
    const payload = await storedEventPayload(deps.db, notification.eventId)
    if (payload === undefined) throw new Error(`no event ${notification.eventId}`)
    const event = notificationEventSchema.parse(payload)
    eventType = event.type
    matchId = event.matchId
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
    // The match shows when each party was first told (notifiedAt): match-service hears of it on the queue,
    // in this transaction, so a recorded send is reported exactly when it commits.
    if (recorded && state.status === 'sent' && matchId && deps.queue) {
      const delivered: NotificationDelivered = {
        matchId,
        organisationId: notification.organisationId,
        deliveredAt: now.toISOString(),
      }
      await (await deps.queue()).send(QUEUES.deliveries, delivered, { db: inTransaction(trx), retryLimit: 5 })
    }
    // NEN 7513: a send discloses who is involved with a child; each attempt is in the trail.
    await recordAudit(trx, serviceActor(SERVICE_NAME, now), 'notification.send', {
      outcome: state.status === 'sent' ? 'success' : 'error',
      resource: { type: 'notification', id: notification.id },
      purpose: `${eventType} by ${notification.channel} to ${notification.organisationId}`,
    })
  })
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
