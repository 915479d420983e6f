import {
  type NotificationBatch,
  type NotificationEvent,
  type PgBoss,
  QUEUES,
  queuedNotificationsSchema,
} from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import {
  insertEvent,
  insertNotifications,
  type NotificationToRecord,
  openDigest,
  renameMessage,
} from '../db/events.js'
import { holdOffClaims } from '../db/notifications.js'
import type { NotifyDatabase } from '../db/schema.js'
import { activeWebhooksOf } from '../db/webhooks.js'
import {
  messageIdDomain,
  messageIdOf,
  messageIds,
  organisationsOf,
  type PlannedNotification,
  planNotifications,
} from '../domain/recipients.js'
import { redactReference } from '../domain/redact.js'
import type { NotifyContext } from './context.js'

/** Jobs taken from the queue at once. */
export const EVENT_BATCH = 20

export interface IngestDeps extends NotifyContext {
  boss: PgBoss
  /** Told when new notifications were recorded, so the delivery loop runs now instead of on its timer. */
  wake: () => void
}

export interface IngestSummary {
  events: number
  duplicates: number
  notifications: number
  rejected: number
}

// Kept masked: notify-service never needs a BSN-, date- or postcode-shaped part of a reference.
const masked = (received: NotificationEvent): NotificationEvent => ({
  ...received,
  parties: received.parties.map((p) => ({
    ...p,
    externalReference: p.externalReference === null ? null : redactReference(p.externalReference),
  })),
})

/**
 * The events of one transaction of match-service (one queue job) → one notification per (event, recipient,
 * channel), recorded before anything is sent, in the caller's transaction. The e-mail notifications to one
 * address share one message (and Message-ID); with a digest window they join that address's mail still
 * waiting in its window. A redelivered job finds its events recorded and records nothing: delivery is at
 * least once, with stable Message-IDs.
 */
async function ingestBatch(
  ctx: NotifyContext,
  trx: Transaction<NotifyDatabase>,
  batch: NotificationBatch,
  now: Date,
): Promise<{ events: number; duplicates: number; notifications: number }> {
  const mailDomain = messageIdDomain(ctx.config.mailFrom)
  let duplicates = 0
  const planned: (PlannedNotification & { eventId: string })[] = []
  for (const received of batch.events) {
    const event = masked(received)
    if (!(await insertEvent(trx, event, now))) {
      duplicates++
      continue
    }
    const webhooks = await activeWebhooksOf(trx, organisationsOf(event))
    const plan = planNotifications(event, webhooks, mailDomain)
    if (plan.skippedAddresses > 0) {
      ctx.log.warn(
        { eventId: event.eventId, skippedAddresses: plan.skippedAddresses },
        'event holds addresses that are not e-mail addresses',
      )
    }
    planned.push(...plan.planned.map((p) => ({ ...p, eventId: event.eventId })))
  }
  const grouped = messageIds(planned, mailDomain) as (PlannedNotification & { eventId: string })[]
  const records = await withDigest(ctx, trx, grouped, mailDomain, now)
  const notifications = await insertNotifications(trx, records, ctx.config.notify.language, now)
  return { events: batch.events.length, duplicates, notifications }
}

/**
 * When each notification is due. Without a digest window: now. With one, a mail to an address that already
 * has one waiting in its window joins it (the waiting mail's Message-ID becomes that of the grown set;
 * it was never attempted, so no receiver has seen the old one); otherwise it opens a window of its own.
 */
async function withDigest(
  ctx: NotifyContext,
  trx: Transaction<NotifyDatabase>,
  planned: (PlannedNotification & { eventId: string })[],
  mailDomain: string,
  now: Date,
): Promise<NotificationToRecord[]> {
  const seconds = ctx.config.notify.digestSeconds
  if (seconds === 0) return planned.map((p) => ({ ...p, dueAt: now }))
  await holdOffClaims(trx)
  const windowEnd = new Date(now.getTime() + seconds * 1000)
  const joined = new Map<string, { messageId: string; dueAt: Date }>()
  for (const recipient of new Set(planned.filter((p) => p.channel === 'email').map((p) => p.recipient))) {
    const open = await openDigest(trx, recipient, now)
    const ids = planned.filter((p) => p.channel === 'email' && p.recipient === recipient).map((p) => p.id)
    if (!open) {
      joined.set(recipient, { messageId: messageIdOf(ids, mailDomain), dueAt: windowEnd })
      continue
    }
    const messageId = messageIdOf([...open.ids, ...ids], mailDomain)
    await renameMessage(trx, open.messageId, messageId, now)
    joined.set(recipient, { messageId, dueAt: open.dueAt })
  }
  return planned.map((p) =>
    p.channel === 'email'
      ? { ...p, ...(joined.get(p.recipient) as { messageId: string; dueAt: Date }) }
      : { ...p, dueAt: now },
  )
}

/**
 * Records the notifications for a batch of queue jobs, in one transaction (one commit for the batch, not
 * one per job; a job that fails fails the batch, which pg-boss then retries, as before); a job that is not
 * a valid event is failed on its own.
 */
export async function ingestJobs(
  deps: IngestDeps,
  jobs: PgBoss.Job<unknown>[],
): Promise<IngestSummary & { completed: string[] }> {
  const summary = { events: 0, duplicates: 0, notifications: 0, rejected: 0, completed: [] as string[] }
  const valid: { id: string; batch: NotificationBatch }[] = []
  for (const job of jobs) {
    const parsed = queuedNotificationsSchema.safeParse(job.data)
    if (!parsed.success) {
      summary.rejected++
      // A producer bug: keep the job (failed, with the reason) for someone to look at; log no payload.
      const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).slice(0, 10)
      deps.log.error({ jobId: job.id, issues }, 'queue job is not a valid notification event')
      await deps.boss.fail(job.name, job.id, { message: 'not a valid notification event', issues })
      continue
    }
    valid.push({ id: job.id, batch: parsed.data })
  }
  if (valid.length === 0) return summary
  const now = deps.clock.now()
  await deps.db.transaction().execute(async (trx) => {
    for (const { batch } of valid) {
      const result = await ingestBatch(deps, trx, batch, now)
      summary.events += result.events
      summary.duplicates += result.duplicates
      summary.notifications += result.notifications
    }
  })
  summary.completed.push(...valid.map((v) => v.id))
  if (summary.notifications > 0) deps.wake()
  return summary
}

/** Takes every waiting event off the queue and records its notifications (tests; the worker uses work()). */
export async function processEvents(deps: IngestDeps): Promise<IngestSummary> {
  const { boss } = deps
  const total: IngestSummary = { events: 0, duplicates: 0, notifications: 0, rejected: 0 }
  for (;;) {
    const jobs = await boss.fetch<unknown>(QUEUES.notifications, { batchSize: EVENT_BATCH })
    if (jobs.length === 0) return total
    const { completed, ...summary } = await ingestJobs(deps, jobs)
    if (completed.length > 0) await boss.complete(QUEUES.notifications, completed)
    total.events += summary.events
    total.duplicates += summary.duplicates
    total.notifications += summary.notifications
    total.rejected += summary.rejected
  }
}
