import { buildService, type ServiceDefinition, type ServiceDeps } from '@verwijsindex/shared'
import type { FastifyInstance } from 'fastify'
import type { NotifyDatabase } from './db/schema.js'
import { createMailSender } from './delivery/email.js'
import { Notifier } from './notifier.js'
import { notificationRoutes } from './routes/notifications.js'
import { webhookRoutes } from './routes/webhooks.js'
import { startWorkers } from './worker.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** processEvents, deliverDue, purgeExpired: what the workers run, callable directly (tests). */
    notifier: Notifier
  }
}

export { Notifier } from './notifier.js'

export const notifyService: ServiceDefinition<NotifyDatabase> = {
  name: 'notify-service',
  title: 'verwijsindex notify-service',
  description: 'Email and webhook delivery of match and coordination events to the parties.',
  port: (config) => config.ports.notify,
  idempotencyTable: 'notify.idempotency_keys',
  async routes(app, { db, config, clock, log }) {
    const mail = config.smtpUrl ? createMailSender(config.smtpUrl, config.mailFrom) : null
    if (!mail) log.warn('SMTP_URL is not set: e-mail notifications wait (pending) until it is')
    const notifier = new Notifier({ db, config, clock, log, mail })
    app.decorate('notifier', notifier)
    // Without workers the notifier still holds what tests drove by hand: stop it before the pool goes.
    app.addHook('preClose', async () => {
      if (!workersStarted.has(app)) await notifier.stop()
    })
    await app.register(notificationRoutes, { db, notifier })
    await app.register(webhookRoutes, { db })
  },
  async workers(app) {
    workersStarted.add(app)
    return startWorkers(app.notifier, app.log)
  },
}

const workersStarted = new WeakSet<FastifyInstance>()

export const buildNotifyService = (deps: ServiceDeps): Promise<FastifyInstance> =>
  buildService(notifyService, deps)
