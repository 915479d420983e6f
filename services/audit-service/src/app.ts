import { generateKeyPairSync } from 'node:crypto'
import { buildService, type ServiceDefinition, type ServiceDeps } from '@verwijsindex/shared'
import type { FastifyInstance } from 'fastify'
import type { AuditDatabase } from './db/schema.js'
import { type CheckpointSigner, createCheckpointSigner } from './domain/chain.js'
import { startAuditWorkers } from './jobs.js'
import { auditMetrics } from './metrics.js'
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

export const auditService: ServiceDefinition<AuditDatabase> = {
  name: 'audit-service',
  title: 'verwijsindex audit-service',
  description: 'The NEN 7513 access log: queries, subject reports, export and tamper evidence.',
  port: (config) => config.ports.audit,
  metrics: auditMetrics,
  async routes(app, { db }) {
    const signer = checkpointSigner(app)
    app.decorate('checkpointSigner', signer)
    await app.register(eventRoutes, { db })
    await app.register(subjectReportRoutes, { db })
    await app.register(chainRoutes, { db, signer })
  },
  workers: (app, { boss, db, config, clock, log }) =>
    startAuditWorkers(boss, { db, config, clock, signer: app.checkpointSigner, log }),
}

declare module 'fastify' {
  interface FastifyInstance {
    checkpointSigner: CheckpointSigner
  }
}

export const buildAuditService = (deps: ServiceDeps): Promise<FastifyInstance> =>
  buildService(auditService, deps)
