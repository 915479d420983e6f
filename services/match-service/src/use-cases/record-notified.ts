import { type NotificationDelivered, notificationDeliveredSchema } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { recordNotifiedAt } from '../db/follow-up.js'

/**
 * notify-service reports delivered notifications about matches (QUEUES.deliveries), a batch of jobs at a
 * time, recorded in one statement: each party's `notifiedAt` becomes the earliest such moment. Replays and
 * late reports change nothing after that; a report that does not parse is skipped.
 */
export async function recordNotified(ctx: MatchContext, payloads: unknown[]): Promise<number> {
  const reports: NotificationDelivered[] = []
  for (const payload of payloads) {
    const parsed = notificationDeliveredSchema.safeParse(payload)
    if (parsed.success) reports.push(parsed.data)
  }
  return recordNotifiedAt(ctx.db, reports)
}
