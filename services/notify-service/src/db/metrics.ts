import type { Kysely } from 'kysely'
import type { NotifyDatabase } from './schema.js'

/** Notifications held, by status and channel (no recipient, organisation or event in it). */
export async function notificationCounts(
  db: Kysely<NotifyDatabase>,
): Promise<{ status: string; channel: string; count: number }[]> {
  const rows = await db
    .selectFrom('notify.notifications')
    .select(['status', 'channel', (eb) => eb.fn.countAll<string>().as('count')])
    .groupBy(['status', 'channel'])
    .execute()
  return rows.map((r) => ({ status: r.status, channel: r.channel, count: Number(r.count) }))
}
