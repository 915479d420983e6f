import { createServiceApp, openDatabase, resolveClock, type ServiceDeps } from '@verwijsindex/shared'
import type { FastifyInstance } from 'fastify'
import type { NotifyDatabase } from './db/schema.js'

export async function buildNotifyService(deps: ServiceDeps): Promise<FastifyInstance> {
  const db = await openDatabase<NotifyDatabase>(deps.config, 'notify-service')
  const app = await createServiceApp({
    serviceName: 'notify-service',
    title: 'verwijsindex notify-service',
    description: 'Email and webhook delivery of match and coordination events to the parties.',
    config: deps.config,
    db,
    clock: resolveClock(deps),
    logStream: deps.logStream,
  })
  app.addHook('onClose', async () => db.destroy())
  return app
}
