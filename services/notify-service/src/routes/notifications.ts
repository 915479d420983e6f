import { actorOf, EVENT_TYPES, pageQuerySchema, pageSchema, problemSchema } from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { NotificationView } from '../db/notifications.js'
import type { NotifyDatabase } from '../db/schema.js'
import { CHANNELS, LANGUAGES, NOTIFICATION_STATUSES } from '../domain/notification.js'
import { listNotifications } from '../use-cases/list-notifications.js'
import { readNotification } from '../use-cases/read-notification.js'
import { retryNotification } from '../use-cases/retry-notification.js'

export const notificationSchema = z
  .object({
    id: z.uuid(),
    eventId: z.uuid(),
    eventType: z.enum(EVENT_TYPES),
    matchId: z.string().nullable(),
    channel: z.enum(CHANNELS),
    /** The e-mail address, or the webhook's URL. */
    recipient: z.string(),
    organisation: z.string(),
    webhookId: z.uuid().nullable(),
    /** Message-ID (e-mail) or webhook-id: the same for every attempt, for the receiver to drop duplicates. */
    messageId: z.string(),
    language: z.enum(LANGUAGES),
    status: z.enum(NOTIFICATION_STATUSES),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    nextAttemptAt: z.date().nullable(),
    createdAt: z.date(),
    updatedAt: z.date(),
    sentAt: z.date().nullable(),
  })
  .meta({ id: 'Notification' })

const toNotification = (n: NotificationView): z.infer<typeof notificationSchema> => ({
  id: n.id,
  eventId: n.eventId,
  eventType: n.eventType,
  matchId: n.matchId,
  channel: n.channel,
  recipient: n.channel === 'webhook' ? (n.webhookUrl ?? n.recipient) : n.recipient,
  organisation: n.organisationId,
  webhookId: n.webhookId,
  messageId: n.messageId,
  language: n.language,
  status: n.status,
  attempts: n.attempts,
  lastError: n.lastError,
  nextAttemptAt: n.status === 'pending' || n.status === 'failed' ? n.nextAttemptAt : null,
  createdAt: n.createdAt,
  updatedAt: n.updatedAt,
  sentAt: n.sentAt,
})

export const notificationRoutes: FastifyPluginAsyncZod<{
  db: Kysely<NotifyDatabase>
  /** Tells the delivery loop that a notification was re-queued. */
  wake: () => void
}> = async (app, { db, wake }) => {
  app.get(
    '/v1/notifications',
    {
      config: { roles: ['professional', 'system', 'admin'] },
      schema: {
        operationId: 'listNotifications',
        summary: "List your organisation's notifications",
        tags: ['notifications'],
        description:
          "The caller's organisation's notifications, newest first, with status, attempts and last error (admin: every organisation's).",
        querystring: pageQuerySchema.extend({
          status: z.enum(NOTIFICATION_STATUSES).optional(),
          channel: z.enum(CHANNELS).optional(),
          matchId: z.string().max(100).optional(),
          eventId: z.uuid().optional(),
          organisation: z.string().max(63).optional(),
        }),
        response: { 200: pageSchema(notificationSchema), 400: problemSchema, 403: problemSchema },
      },
    },
    async (request) => {
      const page = await listNotifications(db, actorOf(request), request.query)
      return { items: page.items.map(toNotification), nextCursor: page.nextCursor }
    },
  )

  app.get(
    '/v1/notifications/:id',
    {
      config: { roles: ['professional', 'system', 'admin'] },
      schema: {
        operationId: 'getNotification',
        summary: 'Read a notification',
        description: 'One notification of your organisation, with attempts and the last error.',
        tags: ['notifications'],
        params: z.object({ id: z.uuid() }),
        response: { 200: notificationSchema, 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => toNotification(await readNotification(db, actorOf(request), request.params.id)),
  )

  app.post(
    '/v1/notifications/:id/retry',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'retryNotification',
        summary: 'Retry a notification',
        tags: ['notifications'],
        description: 'Puts a dead notification back in line with a fresh set of attempts.',
        params: z.object({ id: z.uuid() }),
        response: { 200: notificationSchema, 400: problemSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request) =>
      toNotification(await retryNotification({ db, wake }, actorOf(request), request.params.id)),
  )
}
