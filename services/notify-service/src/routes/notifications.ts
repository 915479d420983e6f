import {
  auditDenied,
  auditRequest,
  decodeCursor,
  EVENT_TYPES,
  ProblemError,
  pageOf,
  pageQuerySchema,
  pageSchema,
  problemSchema,
} from '@verwijsindex/shared'
import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import {
  getNotification,
  listNotifications,
  type NotificationView,
  requeueDead,
} from '../db/notifications.js'
import type { NotifyDatabase } from '../db/schema.js'
import { getWebhook } from '../db/webhooks.js'
import type { Notifier } from '../notifier.js'

export const notificationSchema = z
  .object({
    id: z.uuid(),
    eventId: z.uuid(),
    eventType: z.enum(EVENT_TYPES),
    matchId: z.string().nullable(),
    channel: z.enum(['email', 'webhook']),
    /** The e-mail address, or the webhook's URL. */
    recipient: z.string(),
    organisation: z.string(),
    webhookId: z.uuid().nullable(),
    /** Message-ID (e-mail) or webhook-id: the same for every attempt, for the receiver to drop duplicates. */
    messageId: z.string(),
    language: z.enum(['nl', 'en']),
    status: z.enum(['pending', 'sent', 'failed', 'dead']),
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

const cursorSchema = z.object({ createdAt: z.string(), id: z.string() })

/** An organisation's tokens see its own notifications; the operator's admin sees all (to retry dead ones). */
function organisationScope(request: FastifyRequest): string | null {
  return request.user.roles.includes('admin') ? null : (request.user.org ?? null)
}

export const notificationRoutes: FastifyPluginAsyncZod<{
  db: Kysely<NotifyDatabase>
  notifier: Notifier
}> = async (app, { db, notifier }) => {
  app.get(
    '/v1/notifications',
    {
      config: { roles: ['professional', 'system', 'admin'] },
      schema: {
        operationId: 'listNotifications',
        tags: ['notifications'],
        description:
          "The caller's organisation's notifications, newest first, with status, attempts and last error (admin: every organisation's).",
        querystring: pageQuerySchema.extend({
          status: z.enum(['pending', 'sent', 'failed', 'dead']).optional(),
          channel: z.enum(['email', 'webhook']).optional(),
          matchId: z.string().max(100).optional(),
          eventId: z.uuid().optional(),
          organisation: z.string().max(63).optional(),
        }),
        response: { 200: pageSchema(notificationSchema), 400: problemSchema, 403: problemSchema },
      },
    },
    async (request) => {
      const { limit, cursor, organisation, ...filter } = request.query
      const scope = organisationScope(request)
      if (scope !== null && organisation !== undefined && organisation !== scope) {
        await auditDenied(db, request, { resource: { type: 'organisation', id: organisation } })
        throw new ProblemError('forbidden', 'An organisation sees its own notifications only')
      }
      const after = decodeCursor(cursor, cursorSchema)
      const rows = await listNotifications(
        db,
        { ...filter, organisationId: scope ?? organisation, after },
        limit + 1,
      )
      await auditRequest(db, request, 'notification.list', { resource: { type: 'notification', id: null } })
      const page = pageOf(rows, limit, (n) => ({ createdAt: n.createdAt.toISOString(), id: n.id }))
      return { items: page.items.map(toNotification), nextCursor: page.nextCursor }
    },
  )

  /** The notification if the caller may see it; another organisation's is a 404 and an audited denial. */
  async function visibleNotification(request: FastifyRequest, id: string): Promise<NotificationView> {
    const notification = await getNotification(db, id)
    if (!notification) throw new ProblemError('not_found', `No notification ${id}`)
    const scope = organisationScope(request)
    if (scope !== null && notification.organisationId !== scope) {
      await auditDenied(db, request, { resource: { type: 'notification', id } })
      throw new ProblemError('not_found', `No notification ${id}`)
    }
    return notification
  }

  app.get(
    '/v1/notifications/:id',
    {
      config: { roles: ['professional', 'system', 'admin'] },
      schema: {
        operationId: 'getNotification',
        tags: ['notifications'],
        params: z.object({ id: z.uuid() }),
        response: { 200: notificationSchema, 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const notification = await visibleNotification(request, request.params.id)
      await auditRequest(db, request, 'notification.read', {
        resource: { type: 'notification', id: notification.id },
      })
      return toNotification(notification)
    },
  )

  app.post(
    '/v1/notifications/:id/retry',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'retryNotification',
        tags: ['notifications'],
        description: 'Puts a dead notification back in line with a fresh set of attempts.',
        params: z.object({ id: z.uuid() }),
        response: { 200: notificationSchema, 400: problemSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request) => {
      const { id } = request.params
      const notification = await db.transaction().execute(async (trx) => {
        const current = await getNotification(trx, id)
        if (!current) throw new ProblemError('not_found', `No notification ${id}`)
        if (current.status !== 'dead') {
          throw new ProblemError(
            'conflict',
            `Only a dead notification can be retried; this one is ${current.status}`,
          )
        }
        if (current.webhookId) {
          const webhook = await getWebhook(trx, current.webhookId)
          if (!webhook || webhook.deletedAt)
            throw new ProblemError('conflict', 'The webhook has been deleted')
        }
        if (!(await requeueDead(trx, id, app.clock.now()))) {
          throw new ProblemError('conflict', 'The notification changed meanwhile; read it again')
        }
        await auditRequest(trx, request, 'notification.retry', { resource: { type: 'notification', id } })
        return getNotification(trx, id)
      })
      notifier.onWork()
      if (!notification) throw new ProblemError('not_found', `No notification ${id}`)
      return toNotification(notification)
    },
  )
}
