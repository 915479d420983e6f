import type { Clock } from '@verwijsindex/shared'
import type { Kysely, Transaction } from 'kysely'
import { snapshotHorizon, withChainLock } from '../db/chain-lock.js'
import { insertCheckpoint, latestHorizon, latestPurge } from '../db/checkpoints.js'
import type { AuditDatabase } from '../db/schema.js'
import { insertSeals, lastSeal } from '../db/seals.js'
import { idRangeSince, unsealedBetween } from '../db/unsealed.js'
import {
  type ChainHead,
  type Checkpoint,
  type CheckpointSigner,
  type CheckpointStatement,
  chainBase,
  extendChain,
  signCheckpoint,
} from '../domain/chain.js'

type Trx = Transaction<AuditDatabase>

/** Events sealed per query: each query's work stays bounded. */
export const SEAL_BATCH_SIZE = 5000

export interface SealOptions {
  clock: Clock
  signer: CheckpointSigner
  batchSize?: number
  /** Wait for a running sealer or purge (default), or give up at once (the scheduled job). */
  wait?: boolean
}

export interface SealResult {
  sealed: number
  head: ChainHead
  /** The checkpoint this run ended with; none when it found nothing to seal (the head is unchanged). */
  checkpoint: Checkpoint | null
}

/** One sealing run. Undefined when `wait: false` and another run holds the chain lock. */
export async function sealAuditEvents(
  db: Kysely<AuditDatabase>,
  options: SealOptions,
): Promise<SealResult | undefined> {
  const now = options.clock.now()
  return withChainLock(db, options.wait ?? true, (conn) =>
    conn
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const run = await sealPending(trx, now, options.batchSize ?? SEAL_BATCH_SIZE)
        if (run.sealed === 0) return { sealed: 0, head: run.head, checkpoint: null }
        const checkpoint = await writeCheckpoint(
          trx,
          options.signer,
          { kind: 'seal', count: run.head.count, head: run.head.hash, sealedAt: now, retainedFrom: null },
          run.horizon,
        )
        return { sealed: run.sealed, head: run.head, checkpoint }
      }),
  )
}

export interface SealRun {
  sealed: number
  head: ChainHead
  /** This run's snapshot horizon: the next run need look no further back. */
  horizon: number
}

/**
 * Appends every committed, not yet sealed event to the chain, in id order within this run. Events are
 * found by "has no seal" rather than "id above the last sealed id": a transaction that took its id early
 * and committed late is sealed by the next run, after events with higher ids. Only events of
 * transactions at or after the previous run's horizon can still be unsealed, so that bounds the scan.
 * Runs inside a REPEATABLE READ transaction holding the chain lock (sealing runs and the purge).
 */
export async function sealPending(trx: Trx, now: Date, batchSize: number): Promise<SealRun> {
  // First: the transaction's first statement fixes its snapshot, and with it the horizon.
  const horizon = await snapshotHorizon(trx)
  const since = await latestHorizon(trx)
  let head = (await lastSeal(trx)) ?? chainBase(await latestPurge(trx))
  let sealed = 0
  const range = await idRangeSince(trx, since)
  if (!range) return { sealed, head, horizon }
  // Walked in id ranges of batchSize, so each query's work is bounded whatever plan the statistics give
  // (right after a bulk load they know nothing of the rows, nor of the seals this run adds).
  for (let low = range.low; low <= range.high; low += batchSize) {
    const batch = await unsealedBetween(trx, since, low, low + batchSize)
    if (batch.length === 0) continue
    const extended = extendChain(head, batch)
    await insertSeals(trx, extended.seals, now)
    head = extended.head
    sealed += batch.length
  }
  return { sealed, head, horizon }
}

/** Signs a checkpoint and stores it with the run's horizon. */
export async function writeCheckpoint(
  trx: Trx,
  signer: CheckpointSigner,
  statement: CheckpointStatement,
  horizon: number,
): Promise<Checkpoint> {
  return insertCheckpoint(trx, { ...signCheckpoint(signer, statement), horizon })
}
