import { type NotificationEvent, notificationEventSchema, type PgBoss, QUEUES } from '@verwijsindex/shared'
import { recordEvent } from '../db/events.js'
import { activeWebhooksOf } from '../db/webhooks.js'
import { messageIdDomain, organisationsOf, planNotifications } from '../domain/recipients.js'
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

/** One event → one notification per (recipient, channel), recorded before anything is sent. */
export async function ingestEvent(
  ctx: NotifyContext,
  received: NotificationEvent,
): Promise<{ duplicate: boolean; notifications: number }> {
  const now = ctx.clock.now()
  // Kept masked: notify-service never needs a BSN-, date- or postcode-shaped part of a reference.
  const event: NotificationEvent = {
    ...received,
    parties: received.parties.map((p) => ({
      ...p,
      externalReference: p.externalReference === null ? null : redactReference(p.externalReference),
    })),
  }
  return ctx.db.transaction().execute(async (trx) => {
    const webhooks = await activeWebhooksOf(trx, organisationsOf(event))
    const { planned, skippedAddresses } = planNotifications(
      event,
      webhooks,
      messageIdDomain(ctx.config.mailFrom),
    )
    if (skippedAddresses > 0) {
      ctx.log.warn(
        { eventId: event.eventId, skippedAddresses },
        'event holds addresses that are not e-mail addresses',
      )
    }
    return recordEvent(trx, event, planned, ctx.config.notify.language, now)
  })
}

/** Records the notifications for a batch of queue jobs; a job that is not a valid event is failed. */
export async function ingestJobs(
  deps: IngestDeps,
  jobs: PgBoss.Job<unknown>[],
): Promise<IngestSummary & { completed: string[] }> {
  const summary = { events: 0, duplicates: 0, notifications: 0, rejected: 0, completed: [] as string[] }
  for (const job of jobs) {
    const parsed = notificationEventSchema.safeParse(job.data)
    if (!parsed.success) {
      summary.rejected++
      // A producer bug: keep the job (failed, with the reason) for someone to look at; log no payload.
      const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).slice(0, 10)
      deps.log.error({ jobId: job.id, issues }, 'queue job is not a valid notification event')
      await deps.boss.fail(job.name, job.id, { message: 'not a valid notification event', issues })
      continue
    }
    const result = await ingestEvent(deps, parsed.data)
    summary.events++
    if (result.duplicate) summary.duplicates++
    summary.notifications += result.notifications
    summary.completed.push(job.id)
  }
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
