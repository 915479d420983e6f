import { createServiceApp, openDatabase, resolveClock, type ServiceDeps } from '@verwijsindex/shared'
import type { FastifyInstance } from 'fastify'
import type { AuditDatabase } from './db/schema.js'

export async function buildAuditService(deps: ServiceDeps): Promise<FastifyInstance> {
  const db = await openDatabase<AuditDatabase>(deps.config, 'audit-service')
  const app = await createServiceApp({
    serviceName: 'audit-service',
    title: 'verwijsindex audit-service',
    description: 'The NEN 7513 access log: queries, subject reports, export and tamper evidence.',
    config: deps.config,
    db,
    clock: resolveClock(deps),
    logStream: deps.logStream,
  })
  app.addHook('onClose', async () => db.destroy())
  return app
}
