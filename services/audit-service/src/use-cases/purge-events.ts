import { type Clock, recordAudit, serviceActor } from '@verwijsindex/shared'
import type { Kysely, Transaction } from 'kysely'
import { withChainLock } from '../db/chain-lock.js'
import { latestPurge } from '../db/checkpoints.js'
import type { AuditDatabase } from '../db/schema.js'
import { deleteChainPrefix, firstSealSince, sealHashAt } from '../db/seals.js'
import { AUDIT_CHAIN, type Checkpoint, type CheckpointSigner, chainBase } from '../domain/chain.js'
import { SEAL_BATCH_SIZE, sealPending, writeCheckpoint } from './seal-events.js'

export interface PurgeOptions {
  clock: Clock
  signer: CheckpointSigner
  retentionDays: number
  batchSize?: number
}

export interface PurgeResult {
  purged: number
  retainedFrom: Date
  /** The signed start of the retained chain; none when nothing was old enough. */
  checkpoint: Checkpoint | null
}

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Retention: removes the events older than the retention period. The chain can only lose a prefix, so
 * it purges up to the first sealed event that is still young enough (an old event sealed after it
 * waits for the next purge; in practice seconds). Before deleting it seals what is pending, writes a
 * checkpoint of the full head, then a signed purge checkpoint of the hash at the cut: verification
 * continues from there, and a prefix deleted by anyone else has no signed checkpoint to start from.
 */
export async function purgeAuditEvents(
  db: Kysely<AuditDatabase>,
  options: PurgeOptions,
): Promise<PurgeResult> {
  const now = options.clock.now()
  const retainedFrom = new Date(now.getTime() - options.retentionDays * DAY_MS)
  const result = await withChainLock(db, true, (conn) =>
    conn
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute((trx) => purgeBefore(trx, options, now, retainedFrom)),
  )
  // A run that waits for the lock always runs.
  return result as PurgeResult
}

async function purgeBefore(
  trx: Transaction<AuditDatabase>,
  options: PurgeOptions,
  now: Date,
  retainedFrom: Date,
): Promise<PurgeResult> {
  const nothing = { purged: 0, retainedFrom, checkpoint: null }
  const run = await sealPending(trx, now, options.batchSize ?? SEAL_BATCH_SIZE)
  if (run.head.count === 0) return nothing
  await writeCheckpoint(
    trx,
    options.signer,
    { kind: 'seal', count: run.head.count, head: run.head.hash, sealedAt: now, retainedFrom: null },
    run.horizon,
  )
  const firstKept = await firstSealSince(trx, retainedFrom)
  const cut = firstKept === undefined ? run.head.count : firstKept - 1
  const base = chainBase(await latestPurge(trx))
  if (cut <= base.count) return nothing
  const hashAtCut = await sealHashAt(trx, cut)
  if (hashAtCut === undefined) throw new Error(`the seal at ${cut} disappeared during the purge`)
  const checkpoint = await writeCheckpoint(
    trx,
    options.signer,
    { kind: 'purge', count: cut, head: hashAtCut, sealedAt: now, retainedFrom },
    run.horizon,
  )
  const purged = await deleteChainPrefix(trx, cut)
  await recordAudit(trx, serviceActor('audit-service', now), 'audit.purge', {
    resource: { type: AUDIT_CHAIN, id: String(cut) },
    purpose: 'retention',
  })
  return { purged, retainedFrom, checkpoint }
}
