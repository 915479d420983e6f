import { generateKeyPairSync } from 'node:crypto'
import { createServiceApp, openDatabase, resolveClock, type ServiceDeps } from '@verwijsindex/shared'
import type { FastifyInstance } from 'fastify'
import type { AuditDatabase } from './db/schema.js'
import { type CheckpointSigner, createCheckpointSigner } from './domain/chain.js'
import { startAuditWorkers } from './jobs.js'
import { chainRoutes } from './routes/chain.js'
import { eventRoutes } from './routes/events.js'
import { subjectReportRoutes } from './routes/subject-report.js'

export type { AuditDatabase } from './db/schema.js'
export { createCheckpointSigner } from './domain/chain.js'
export { purgeAuditEvents } from './use-cases/purge-events.js'
export { sealAuditEvents } from './use-cases/seal-events.js'
export { verifyChain } from './use-cases/verify-chain.js'

/**
 * The key that signs checkpoints. Production refuses to start without AUDIT_SIGNING_KEY (config); a
 * development service started without one (docker compose) signs with a key of this process only, and
 * says so: its checkpoints cannot be checked after a restart.
 */
function checkpointSigner(app: FastifyInstance): CheckpointSigner {
  if (app.config.auditSigningKey) return createCheckpointSigner(app.config.auditSigningKey)
  app.log.warn('AUDIT_SIGNING_KEY is not set: checkpoints are signed with a temporary key of this process')
  const { privateKey } = generateKeyPairSync('ed25519')
  return createCheckpointSigner(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())
}

export async function buildAuditService(deps: ServiceDeps): Promise<FastifyInstance> {
  const db = await openDatabase<AuditDatabase>(deps.config, 'audit-service')
  const clock = resolveClock(deps)
  const app = await createServiceApp({
    serviceName: 'audit-service',
    title: 'verwijsindex audit-service',
    description: 'The NEN 7513 access log: queries, subject reports, export and tamper evidence.',
    config: deps.config,
    db,
    clock,
    logStream: deps.logStream,
  })
  const signer = checkpointSigner(app)
  let stopWorkers: (() => Promise<void>) | undefined
  app.addHook('onClose', async () => {
    // The workers first: a running job still needs the pool.
    await stopWorkers?.()
    await db.destroy()
  })

  await app.register(eventRoutes, { db })
  await app.register(subjectReportRoutes, { db })
  await app.register(chainRoutes, { db, signer })

  if (deps.workers) {
    stopWorkers = await startAuditWorkers({ db, config: deps.config, clock, signer, log: app.log })
  }
  return app
}
