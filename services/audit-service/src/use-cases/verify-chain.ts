import { type Actor, recordAudit, ruleViolation } from '@verwijsindex/shared'
import type { Kysely, Transaction } from 'kysely'
import { checkpointsBetween, firstCheckpointBeyond, latestHorizon, latestPurge } from '../db/checkpoints.js'
import type { AuditDatabase } from '../db/schema.js'
import { sealsFrom } from '../db/seals.js'
import { unsealedEvents } from '../db/unsealed.js'
import { AUDIT_CHAIN, type ChainHead, type CheckpointSigner, chainBase } from '../domain/chain.js'
import { type ChainBreak, ChainWalk, outsideBreak, type VerifyResult } from '../domain/verification.js'

type Trx = Transaction<AuditDatabase>

export type { BreakReason, ChainBreak, VerifyResult } from '../domain/verification.js'

export interface VerifyOptions {
  signer: CheckpointSigner
  /** A checkpoint held elsewhere (count and head), checked against the recomputed chain. */
  external?: ChainHead | undefined
  batchSize?: number
}

/** Seals recomputed per query: bounded memory however long the chain. */
const VERIFY_BATCH_SIZE = 10_000

/**
 * Recomputes the whole retained chain from its signed base, in one snapshot, batch by batch (bounded
 * memory). Stops at the first break: a seal whose hash does not match its event, a missing event or
 * seal, a checkpoint (stored or given) that disagrees with the recomputed head or is not signed by our
 * key, a checkpoint beyond the end (the tail was cut), or an event the sealer should have sealed.
 */
export async function verifyChain(db: Kysely<AuditDatabase>, options: VerifyOptions): Promise<VerifyResult> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const purge = await latestPurge(trx)
      const walk = new ChainWalk(options.signer, options.external, { head: chainBase(purge), purge })
      const firstBreak = await walkChain(trx, walk, options.batchSize ?? VERIFY_BATCH_SIZE)
      const unsealed = await unsealedEvents(trx, await latestHorizon(trx))
      return walk.result(firstBreak ?? outsideBreak(unsealed.outside), unsealed.pending)
    })
}

/** The verification an auditor asks for, recorded once it is done. */
export async function verifyChainFor(
  db: Kysely<AuditDatabase>,
  actor: Actor,
  options: VerifyOptions,
): Promise<VerifyResult> {
  const result = await verifyChain(db, options)
  // The verification reads in a read-only snapshot; its own event is written afterwards.
  await db
    .transaction()
    .execute((trx) => recordAudit(trx, actor, 'audit.verify', { resource: { type: AUDIT_CHAIN, id: null } }))
  return result
}

/** The steps in order: the base, the checkpoints at the base, every seal, and what lies past the end. */
async function walkChain(trx: Trx, walk: ChainWalk, batchSize: number): Promise<ChainBreak | null> {
  const baseBreak = walk.checkBase()
  if (baseBreak) return baseBreak
  if (walk.externalBeforeBase()) {
    throw ruleViolation(
      '/count',
      `the retention purge removed the events up to ${walk.head.count}; a checkpoint before that cannot be checked`,
    )
  }
  const atBase = walk.checkAtBase(await checkpointsBetween(trx, walk.head.count, walk.head.count))
  if (atBase) return atBase
  const sealBreak = await walkSeals(trx, walk, batchSize)
  if (sealBreak) return sealBreak
  return walk.checkEnd(await firstCheckpointBeyond(trx, walk.head.count))
}

/** Every seal after the base, batch by batch, with the stored checkpoints each batch covers. */
async function walkSeals(trx: Trx, walk: ChainWalk, batchSize: number): Promise<ChainBreak | null> {
  for (;;) {
    const from = walk.head.count + 1
    const rows = await sealsFrom(trx, from, batchSize)
    const last = rows.at(-1)
    if (!last) return null
    const wrong = walk.checkSeals(rows, await checkpointsBetween(trx, from, last.seq))
    if (wrong) return wrong
    if (rows.length < batchSize) return null
  }
}
