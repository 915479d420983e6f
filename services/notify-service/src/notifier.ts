import { randomUUID } from 'node:crypto'
import {
  type Clock,
  type Config,
  createQueue,
  type NotificationEvent,
  notificationEventSchema,
  type PgBoss,
  purgeIdempotencyKeys,
  QUEUES,
  recordAudit,
  serviceActor,
} from '@verwijsindex/shared'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import { claimDue, purgeBefore, recordAttempt, recordEvent, releaseClaims } from './db/notifications.js'
import type { Channel, Notification, NotifyDatabase } from './db/schema.js'
import { activeWebhooksOf, getWebhook } from './db/webhooks.js'
import type { MailSender } from './delivery/email.js'
import { postWebhook, type WebhookPosterOptions } from './delivery/webhook.js'
import { renderEmail } from './domain/mail/render.js'
import { webhookPayload } from './domain/payload.js'
import { perspectiveOf } from './domain/perspective.js'
import { messageIdDomain, organisationsOf, planNotifications } from './domain/recipients.js'
import { redactReference } from './domain/redact.js'
import { type DeliveryOutcome, nextState } from './domain/retry.js'

/** How long a claim holds. Longer than any attempt can take (SMTP and webhook timeouts are far shorter). */
export const CLAIM_LEASE_MS = 5 * 60_000
/** Notifications claimed at once by one worker, and sent side by side (the SMTP pool has 5 connections). */
const CLAIM_BATCH = 20
const SEND_CONCURRENCY = 5
/** Jobs taken from the queue at once. */
const EVENT_BATCH = 20

export interface DeliverySummary {
  attempted: number
  sent: number
  failed: number
  dead: number
  /** Claims given back because the worker was stopping. */
  released: number
}

export interface IngestSummary {
  events: number
  duplicates: number
  notifications: number
  rejected: number
}

export interface NotifierOptions {
  db: Kysely<NotifyDatabase>
  config: Config
  clock: Clock
  log: FastifyBaseLogger
  mail: MailSender | null
  /** Poked after new notifications were recorded or one was re-queued, so the delivery loop runs now. */
  onWork?: () => void
}

/**
 * The worker's pieces as plain functions (processEvents, deliverDue, purgeExpired), so tests drive them
 * with the injectable clock instead of waiting for schedules; worker.ts runs the same functions on the
 * queue and a timer.
 */
export class Notifier {
  readonly #db: Kysely<NotifyDatabase>
  readonly #config: Config
  readonly #clock: Clock
  readonly #log: FastifyBaseLogger
  readonly #mail: MailSender | null
  readonly #webhookOptions: WebhookPosterOptions
  readonly #mailDomain: string
  #boss: Promise<PgBoss> | null = null
  #stopping = false
  readonly #running = new Set<Promise<unknown>>()
  onWork: () => void

  constructor(options: NotifierOptions) {
    this.#db = options.db
    this.#config = options.config
    this.#clock = options.clock
    this.#log = options.log
    this.#mail = options.mail
    this.#mailDomain = messageIdDomain(options.config.mailFrom)
    this.#webhookOptions = {
      timeoutMs: options.config.notify.webhookTimeoutSeconds * 1000,
      production: options.config.nodeEnv === 'production',
    }
    this.onWork = options.onWork ?? (() => undefined)
  }

  /** The pg-boss instance, started on first use (the worker starts it at once, with supervision). */
  queue(options: { supervise?: boolean } = {}): Promise<PgBoss> {
    this.#boss ??= (async () => {
      const boss = createQueue(this.#config.databaseUrl, {
        max: 2,
        supervise: options.supervise ?? false,
        schedule: options.supervise ?? false,
      })
      boss.on('error', (error) => this.#log.error({ err: error }, 'queue error'))
      await boss.start()
      return boss
    })()
    // A failed start (database away) is tried again on the next use.
    this.#boss.catch(() => {
      this.#boss = null
    })
    return this.#boss
  }

  /** Records the notifications for a batch of queue jobs; a job that is not a valid event is failed. */
  async ingestJobs(jobs: PgBoss.Job<unknown>[]): Promise<IngestSummary & { completed: string[] }> {
    const summary = { events: 0, duplicates: 0, notifications: 0, rejected: 0, completed: [] as string[] }
    for (const job of jobs) {
      const parsed = notificationEventSchema.safeParse(job.data)
      if (!parsed.success) {
        summary.rejected++
        // A producer bug: keep the job (failed, with the reason) for someone to look at; log no payload.
        const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).slice(0, 10)
        this.#log.error({ jobId: job.id, issues }, 'queue job is not a valid notification event')
        const boss = await this.queue()
        await boss.fail(job.name, job.id, { message: 'not a valid notification event', issues })
        continue
      }
      const result = await this.ingest(parsed.data)
      summary.events++
      if (result.duplicate) summary.duplicates++
      summary.notifications += result.notifications
      summary.completed.push(job.id)
    }
    if (summary.notifications > 0) this.onWork()
    return summary
  }

  /** One event → one notification per (recipient, channel), recorded before anything is sent. */
  async ingest(received: NotificationEvent): Promise<{ duplicate: boolean; notifications: number }> {
    const now = this.#clock.now()
    // Kept masked: notify-service never needs a BSN-, date- or postcode-shaped part of a reference.
    const event: NotificationEvent = {
      ...received,
      parties: received.parties.map((p) => ({
        ...p,
        externalReference: p.externalReference === null ? null : redactReference(p.externalReference),
      })),
    }
    return this.#db.transaction().execute(async (trx) => {
      const webhooks = await activeWebhooksOf(trx, organisationsOf(event))
      const { planned, skippedAddresses } = planNotifications(event, webhooks, this.#mailDomain)
      if (skippedAddresses > 0) {
        this.#log.warn(
          { eventId: event.eventId, skippedAddresses },
          'event holds addresses that are not e-mail addresses',
        )
      }
      return recordEvent(trx, event, planned, this.#config.notify.language, now)
    })
  }

  /** Takes every waiting event off the queue and records its notifications (tests; the worker uses work()). */
  async processEvents(): Promise<IngestSummary> {
    const boss = await this.queue()
    const total: IngestSummary = { events: 0, duplicates: 0, notifications: 0, rejected: 0 }
    for (;;) {
      const jobs = await boss.fetch<unknown>(QUEUES.notifications, { batchSize: EVENT_BATCH })
      if (jobs.length === 0) return total
      const { completed, ...summary } = await this.ingestJobs(jobs)
      if (completed.length > 0) await boss.complete(QUEUES.notifications, completed)
      total.events += summary.events
      total.duplicates += summary.duplicates
      total.notifications += summary.notifications
      total.rejected += summary.rejected
    }
  }

  get #channels(): Channel[] {
    // Without SMTP_URL e-mail waits (pending, not lost) until the service runs with one.
    return this.#mail ? ['email', 'webhook'] : ['webhook']
  }

  /**
   * Sends every notification that is due at `now` (pending, or failed with its next attempt reached), in
   * claimed batches, until none is left or the notifier is stopping. A stopping notifier finishes the
   * attempts under way and gives back the claims it did not start on.
   */
  deliverDue(now?: Date): Promise<DeliverySummary> {
    const run = this.#deliverDue(now)
    this.#running.add(run)
    return run.finally(() => this.#running.delete(run))
  }

  async #deliverDue(fixedNow: Date | undefined): Promise<DeliverySummary> {
    const summary: DeliverySummary = { attempted: 0, sent: 0, failed: 0, dead: 0, released: 0 }
    const at = () => fixedNow ?? this.#clock.now()
    while (!this.#stopping) {
      const now = at()
      const token = randomUUID()
      const claimed = await claimDue(this.#db, {
        now,
        leaseUntil: new Date(now.getTime() + CLAIM_LEASE_MS),
        token,
        limit: CLAIM_BATCH,
        channels: this.#channels,
      })
      if (claimed.length === 0) break
      const queue = [...claimed]
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          if (this.#stopping) {
            queue.unshift(next)
            return
          }
          try {
            const status = await this.#attempt(next, token, at)
            summary.attempted++
            summary[status]++
          } catch (error) {
            // The outcome could not be recorded (database gone): the claim stays and its lease runs out,
            // after which the notification is tried again — the at-least-once path.
            this.#log.error({ err: error, notificationId: next.id }, 'could not record a delivery attempt')
          }
        }
      }
      await Promise.all(Array.from({ length: Math.min(SEND_CONCURRENCY, claimed.length) }, worker))
      if (queue.length > 0) {
        summary.released += await releaseClaims(
          this.#db,
          queue.map((n) => n.id),
          token,
          at(),
        )
      }
    }
    return summary
  }

  async #attempt(
    notification: Notification,
    token: string,
    at: () => Date,
  ): Promise<'sent' | 'failed' | 'dead'> {
    let outcome: DeliveryOutcome
    let eventType = 'unknown'
    try {
      const stored = await this.#db
        .selectFrom('notify.events')
        .select('payload')
        .where('id', '=', notification.eventId)
        .executeTakeFirstOrThrow()
      const event = notificationEventSchema.parse(stored.payload)
      eventType = event.type
      outcome = await this.#send(notification, event, at())
    } catch (error) {
      // A bug or a lost database connection: counted as a temporary failure like any other.
      this.#log.error({ err: error, notificationId: notification.id }, 'notification attempt failed')
      outcome = {
        kind: 'temporary',
        error: `internal: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500),
      }
    }
    const now = at()
    const state = nextState(outcome, notification.attempts, this.#config.notify.maxAttempts, now)
    await this.#db.transaction().execute(async (trx) => {
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
        this.#log.warn(
          { notificationId: notification.id },
          'claim lease ran out during the attempt; outcome not recorded',
        )
      }
      // NEN 7513: a send discloses who is involved with a child; each attempt is in the trail.
      await recordAudit(trx, serviceActor('notify-service', now), 'notification.send', {
        outcome: state.status === 'sent' ? 'success' : 'error',
        resource: { type: 'notification', id: notification.id },
        purpose: `${eventType} by ${notification.channel} to ${notification.organisationId}`,
      })
    })
    if (state.status === 'sent') {
      this.#log.info({ notificationId: notification.id, channel: notification.channel }, 'notification sent')
    } else {
      this.#log.warn(
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

  async #send(notification: Notification, event: NotificationEvent, now: Date): Promise<DeliveryOutcome> {
    if (notification.channel === 'email') {
      if (!this.#mail) return { kind: 'temporary', error: 'no SMTP_URL configured' }
      const perspective = perspectiveOf(event, notification.organisationId, notification.recipient)
      return this.#mail.send({
        to: notification.recipient,
        messageId: notification.messageId,
        language: notification.language,
        notificationId: notification.id,
        ...renderEmail(event, perspective, notification.language),
      })
    }
    const webhook = notification.webhookId ? await getWebhook(this.#db, notification.webhookId) : undefined
    if (!webhook || webhook.deletedAt || !webhook.secret)
      return { kind: 'permanent', error: 'webhook deleted' }
    const perspective = perspectiveOf(event, notification.organisationId, null)
    return postWebhook(
      {
        url: webhook.url,
        secret: webhook.secret,
        id: notification.messageId,
        timestamp: now,
        body: JSON.stringify(webhookPayload(event, perspective, notification.id)),
      },
      this.#webhookOptions,
    )
  }

  /** Deletes notification records past NOTIFY_RETENTION_DAYS (they hold contact details). */
  async purgeExpired(now: Date = this.#clock.now()) {
    const cutoff = new Date(now.getTime() - this.#config.notify.retentionDays * 86_400_000)
    const purged = await this.#db.transaction().execute(async (trx) => {
      const counts = await purgeBefore(trx, cutoff)
      if (counts.notifications + counts.events + counts.webhooks > 0) {
        await recordAudit(trx, serviceActor('notify-service', now), 'notification.purge', {
          resource: { type: 'notification', id: null },
          purpose: `retention ${this.#config.notify.retentionDays} days: ${counts.notifications} notifications, ${counts.events} events, ${counts.webhooks} webhooks`,
        })
      }
      return counts
    })
    await purgeIdempotencyKeys(this.#db, 'notify.idempotency_keys', now)
    this.#log.info({ ...purged, cutoff }, 'notification records purged')
    return purged
  }

  /** Stops delivery: attempts under way finish, unstarted claims are given back, the queue is stopped. */
  async stop(): Promise<void> {
    this.#stopping = true
    await Promise.allSettled([...this.#running])
    if (this.#boss) {
      const boss = await this.#boss.catch(() => null)
      await boss?.stop({ graceful: true, wait: true, timeout: 10_000 })
    }
    this.#mail?.close()
  }

  get stopping(): boolean {
    return this.#stopping
  }
}
