import {
  buildService,
  EVENT_DESCRIPTIONS,
  EVENT_TYPES,
  type ServiceDefinition,
  type ServiceDeps,
  webhookPayloadSchema,
} from '@verwijsindex/shared'
import type { FastifyInstance } from 'fastify'
import { IDEMPOTENCY_TABLE, type NotifyDatabase } from './db/schema.js'
import { createMailSender } from './delivery/email.js'
import { notifyMetrics } from './metrics.js'
import { Notifier } from './notifier.js'
import { notificationRoutes } from './routes/notifications.js'
import { webhookRoutes } from './routes/webhooks.js'
import { SERVICE_NAME } from './use-cases/context.js'
import { startWorkers } from './worker.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** processEvents, deliverDue, purgeExpired: what the workers run, callable directly (tests). */
    notifier: Notifier
  }
}

export { Notifier } from './notifier.js'

export const notifyService: ServiceDefinition<NotifyDatabase> = {
  name: SERVICE_NAME,
  title: 'verwijsindex notify-service',
  description: 'Email and webhook delivery of match and coordination events to the parties.',
  port: (config) => config.ports.notify,
  idempotencyTable: IDEMPOTENCY_TABLE,
  webhooks: {
    payloadName: 'WebhookPayload',
    payload: webhookPayloadSchema,
    events: EVENT_TYPES.map((name) => ({ name, summary: name, description: EVENT_DESCRIPTIONS[name] })),
  },
  metrics: notifyMetrics,
  async routes(app, { db, boss, config, clock, log }) {
    const mail = config.smtpUrl
      ? createMailSender(config.smtpUrl, config.mailFrom, config.notify.sendConcurrency)
      : null
    if (!mail) log.warn('SMTP_URL is not set: e-mail notifications wait (pending) until it is')
    const notifier = new Notifier({ db, config, clock, log, mail, queue: async () => boss })
    app.decorate('notifier', notifier)
    // Before the kernel closes the queue and the pool: attempts under way finish, unstarted claims go back.
    app.addHook('preClose', () => notifier.stop())
    app.addHook('onClose', () => mail?.close())
    await app.register(notificationRoutes, { db, wake: () => notifier.onWork() })
    await app.register(webhookRoutes, { db })
  },
  workers: (app, { boss }) => startWorkers(boss, app.notifier, app.log),
}

export const buildNotifyService = (deps: ServiceDeps): Promise<FastifyInstance> =>
  buildService(notifyService, deps)
