import {
  type Clock,
  type Config,
  type PgBoss,
  QUEUES,
  TIME_ZONE,
  type Workers,
  work,
} from '@verwijsindex/shared'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { AuditDatabase } from './db/schema.js'
import type { CheckpointSigner } from './domain/chain.js'
import { purgeAuditEvents } from './use-cases/purge-events.js'
import { sealAuditEvents } from './use-cases/seal-events.js'

/** Sealing every minute keeps the window in which an event is not yet tamper-evident short. */
export const SEAL_CRON = '* * * * *'
/** The retention purge, at night (Europe/Amsterdam). */
export const PURGE_CRON = '30 3 * * *'

export interface AuditWorkerDeps {
  db: Kysely<AuditDatabase>
  config: Config
  clock: Clock
  signer: CheckpointSigner
  log: FastifyBaseLogger
}

/** One scheduled sealing run; skipped when another run holds the chain. */
export async function runSealJob(deps: Omit<AuditWorkerDeps, 'config'>): Promise<void> {
  const { db, clock, signer, log } = deps
  const result = await sealAuditEvents(db, { clock, signer, wait: false })
  if (!result) log.debug('another sealing run holds the chain; skipped')
  else if (result.sealed > 0)
    log.info({ sealed: result.sealed, count: result.head.count }, 'audit events sealed')
}

/** The nightly retention purge. */
export async function runPurgeJob(deps: AuditWorkerDeps): Promise<void> {
  const { db, config, clock, signer, log } = deps
  const result = await purgeAuditEvents(db, { clock, signer, retentionDays: config.auditRetentionDays })
  log.info(
    { purged: result.purged, retainedFrom: result.retainedFrom.toISOString() },
    'audit retention purge done',
  )
}

/**
 * The scheduled sealing and retention jobs, on the service's queue. pg-boss puts one job per cron slot in
 * the queue however many replicas schedule it, and the chain's advisory lock keeps a slow run and the next
 * one from overlapping.
 */
export async function startAuditWorkers(boss: PgBoss, deps: AuditWorkerDeps): Promise<Workers> {
  await boss.schedule(QUEUES.auditSeal, SEAL_CRON, {}, { tz: TIME_ZONE })
  await boss.schedule(QUEUES.auditPurge, PURGE_CRON, {}, { tz: TIME_ZONE })
  await work(boss, QUEUES.auditSeal, () => runSealJob(deps))
  await work(boss, QUEUES.auditPurge, () => runPurgeJob(deps))
  // A running job finishes when the kernel stops the queue gracefully.
  return { stop: async () => undefined }
}
