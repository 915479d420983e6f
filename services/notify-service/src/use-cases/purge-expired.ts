import { purgeIdempotencyKeys, recordAudit, serviceActor } from '@verwijsindex/shared'
import { purgeBefore } from '../db/notifications.js'
import { IDEMPOTENCY_TABLE } from '../db/schema.js'
import { type NotifyContext, SERVICE_NAME } from './context.js'

const DAY_MS = 86_400_000

/** Deletes notification records past NOTIFY_RETENTION_DAYS (they hold contact details). */
export async function purgeExpired(ctx: NotifyContext, now: Date = ctx.clock.now()) {
  const { retentionDays } = ctx.config.notify
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS)
  const purged = await ctx.db.transaction().execute(async (trx) => {
    const counts = await purgeBefore(trx, cutoff)
    if (counts.notifications + counts.events + counts.webhooks > 0) {
      await recordAudit(trx, serviceActor(SERVICE_NAME, now), 'notification.purge', {
        resource: { type: 'notification', id: null },
        purpose: `retention ${retentionDays} days: ${counts.notifications} notifications, ${counts.events} events, ${counts.webhooks} webhooks`,
      })
    }
    return counts
  })
  await purgeIdempotencyKeys(ctx.db, IDEMPOTENCY_TABLE, now)
  ctx.log.info({ ...purged, cutoff }, 'notification records purged')
  return purged
}
