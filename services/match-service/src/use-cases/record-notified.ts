import { notificationDeliveredSchema } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { recordNotifiedAt } from '../db/follow-up.js'

/**
 * notify-service reports a delivered notification about a match (QUEUES.deliveries): the party's
 * `notifiedAt` becomes the earliest such moment. Replays and late reports change nothing after that.
 */
export async function recordNotified(ctx: MatchContext, payload: unknown): Promise<number> {
  const parsed = notificationDeliveredSchema.safeParse(payload)
  if (!parsed.success) return 0
  const at = new Date(parsed.data.deliveredAt)
  if (Number.isNaN(at.getTime())) return 0
  return recordNotifiedAt(ctx.db, parsed.data.matchId, parsed.data.organisationId, at)
}
