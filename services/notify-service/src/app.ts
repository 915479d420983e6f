import {
  createServiceApp,
  openDatabase,
  registerIdempotency,
  resolveClock,
  type ServiceDeps,
} from '@verwijsindex/shared'
import type { FastifyInstance } from 'fastify'
import { IDEMPOTENCY_TABLE, type NotifyDatabase } from './db/schema.js'
import { createMailSender } from './delivery/email.js'
import { Notifier } from './notifier.js'
import { lazyQueue } from './queue.js'
import { notificationRoutes } from './routes/notifications.js'
import { webhookRoutes } from './routes/webhooks.js'
import { SERVICE_NAME } from './use-cases/context.js'
import { startWorkers, type Workers } from './worker.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** processEvents, deliverDue, purgeExpired: what the workers run, callable directly (tests). */
    notifier: Notifier
  }
}

export { Notifier } from './notifier.js'

export async function buildNotifyService(deps: ServiceDeps): Promise<FastifyInstance> {
  const db = await openDatabase<NotifyDatabase>(deps.config, SERVICE_NAME)
  const app = await createServiceApp({
    serviceName: SERVICE_NAME,
    title: 'verwijsindex notify-service',
    description: 'Email and webhook delivery of match and coordination events to the parties.',
    config: deps.config,
    db,
    clock: resolveClock(deps),
    logStream: deps.logStream,
  })
  const mail = deps.config.smtpUrl ? createMailSender(deps.config.smtpUrl, deps.config.mailFrom) : null
  if (!mail) app.log.warn('SMTP_URL is not set: e-mail notifications wait (pending) until it is')
  const queue = lazyQueue(deps.config, app.log, { supervise: deps.workers ?? false })
  const notifier = new Notifier({
    db,
    config: deps.config,
    clock: app.clock,
    log: app.log,
    mail,
    queue: queue.get,
  })
  app.decorate('notifier', notifier)

  let workers: Workers | undefined
  // One hook, in order: stop the work (attempts under way finish, unstarted claims go back), then the
  // queue, the SMTP pool and the database pool.
  app.addHook('onClose', async () => {
    if (workers) await workers.stop()
    else await notifier.stop()
    await queue.stop()
    mail?.close()
    await db.destroy()
  })

  registerIdempotency(app, db, { table: IDEMPOTENCY_TABLE, secret: deps.config.subjectKeySecret })
  await app.register(notificationRoutes, { db, wake: () => notifier.onWork() })
  await app.register(webhookRoutes, { db })

  if (deps.workers) {
    try {
      workers = await startWorkers(await queue.get(), notifier, app.log)
    } catch (error) {
      await app.close()
      throw error
    }
  }
  return app
}
