import { z } from 'zod'

/** notify-service → match-service on QUEUES.deliveries: a notification about a match reached an organisation. */
export const notificationDeliveredSchema = z.object({
  matchId: z.uuid(),
  organisationId: z.string(),
  deliveredAt: z.iso.datetime({ offset: true }),
})
export type NotificationDelivered = z.infer<typeof notificationDeliveredSchema>
