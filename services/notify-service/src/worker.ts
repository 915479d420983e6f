import { isDatabaseUnavailable, type PgBoss, QUEUES, TIME_ZONE, work, workAll } from '@verwijsindex/shared'
import type { FastifyBaseLogger } from 'fastify'
import type { Notifier } from './notifier.js'
import { EVENT_BATCH } from './use-cases/ingest-events.js'

/** How often the delivery loop looks for due notifications when nothing wakes it sooner. */
const DELIVERY_POLL_MS = 1000
/** Daily, at night in Amsterdam; pg-boss runs a schedule once however many replicas there are. */
const PURGE_CRON = '17 3 * * *'

export interface Workers {
  wake(): void
  stop(): Promise<void>
}

/**
 * The background work of a notify-service replica: the queue consumer (events → notifications), the
 * delivery loop (due notifications → SMTP / webhooks, retries included) and the daily purge. Any number of
 * replicas may run them side by side: pg-boss hands each job to one consumer, claims keep two workers off
 * the same notification, and the purge is a pg-boss schedule.
 */
export async function startWorkers(
  boss: PgBoss,
  notifier: Notifier,
  log: FastifyBaseLogger,
): Promise<Workers> {
  let stopped = false
  // Set when work arrives during a run: the run may have looked before it was committed, so go again.
  let woken = false
  let timer: NodeJS.Timeout | undefined
  let wakeUp: (() => void) | undefined
  const idle = () =>
    new Promise<void>((resolve) => {
      wakeUp = resolve
      timer = setTimeout(resolve, DELIVERY_POLL_MS)
    })

  const loop = (async () => {
    while (!stopped) {
      woken = false
      try {
        await notifier.deliverDue()
      } catch (error) {
        if (isDatabaseUnavailable(error))
          log.warn({ err: error }, 'database unavailable; delivery tries again')
        else log.error({ err: error }, 'delivery run failed; trying again')
      }
      if (!stopped && !woken) await idle()
    }
  })()

  const wake = () => {
    woken = true
    clearTimeout(timer)
    wakeUp?.()
  }
  notifier.onWork = wake

  await workAll<unknown>(boss, QUEUES.notifications, EVENT_BATCH, async (jobs) => {
    // Jobs that are not valid events are failed inside; the rest complete when this returns.
    await notifier.ingestJobs(jobs)
  })
  await work(boss, QUEUES.notifyPurge, () => notifier.purgeExpired())
  await boss.schedule(QUEUES.notifyPurge, PURGE_CRON, {}, { tz: TIME_ZONE })

  return {
    wake,
    async stop() {
      stopped = true
      wake()
      await notifier.stop()
      await loop
    },
  }
}
