import { type Registry, registerDatabaseGauges, type ServiceInfra } from '@verwijsindex/shared'
import { notificationCounts } from './db/metrics.js'
import type { NotifyDatabase } from './db/schema.js'

/** notify-service's gauges on /metrics, read from the database at scrape time. */
export function notifyMetrics(registry: Registry, { db }: ServiceInfra<NotifyDatabase>): void {
  registerDatabaseGauges(registry, () => notificationCounts(db), [
    {
      name: 'verwijsindex_notifications',
      help: 'Notifications held (NOTIFY_RETENTION_DAYS), by status (pending, sent, failed, dead) and channel',
      labelNames: ['status', 'channel'],
      samples: (counts) =>
        counts.map((c) => ({ labels: { status: c.status, channel: c.channel }, value: c.count })),
    },
  ])
}
