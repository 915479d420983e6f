import { type Clock, recordAudit, ruleViolation, serviceActor } from '@verwijsindex/shared'
import { type Kysely, sql, type Transaction } from 'kysely'
import {
  type CheckpointSigner,
  type CheckpointStatement,
  chainHash,
  GENESIS_HASH,
  type SealableEvent,
} from '../domain/chain.js'
import type { AuditDatabase, CheckpointsTable } from './schema.js'

type Db = Kysely<AuditDatabase>
type Trx = Transaction<AuditDatabase>

/** One advisory lock for everything that extends or cuts the chain: sealing runs and the retention purge. */
const CHAIN_LOCK = 7513_0001

export interface ChainHead {
  count: number
  hash: string
}

export interface Checkpoint {
  id: number
  kind: 'seal' | 'purge'
  count: number
  head: string
  sealedAt: Date
  retainedFrom: Date | null
  keyId: string
  signature: string
}

export const statementOf = (c: Checkpoint): CheckpointStatement => ({
  kind: c.kind,
  count: c.count,
  head: c.head,
  sealedAt: c.sealedAt,
  retainedFrom: c.retainedFrom,
})

const checkpointColumns = [
  'id',
  'kind',
  'count',
  'head',
  'sealedAt',
  'retainedFrom',
  'keyId',
  'signature',
] as const satisfies readonly (keyof CheckpointsTable)[]

/**
 * Runs `work` holding the chain lock on a connection of its own. A session lock, taken before the
 * work's REPEATABLE READ transaction begins: taken inside it, the snapshot would predate the previous
 * holder's commit and the run would not see the seals it just wrote.
 */
async function withChainLock<T>(
  db: Db,
  wait: boolean,
  work: (conn: Db) => Promise<T>,
): Promise<T | undefined> {
  return db.connection().execute(async (conn) => {
    if (wait) {
      await sql`select pg_advisory_lock(${CHAIN_LOCK}::bigint)`.execute(conn)
    } else {
      const { rows } = await sql<{
        locked: boolean
      }>`select pg_try_advisory_lock(${CHAIN_LOCK}::bigint) as locked`.execute(conn)
      if (!rows[0]?.locked) return undefined
    }
    try {
      return await work(conn)
    } finally {
      await sql`select pg_advisory_unlock(${CHAIN_LOCK}::bigint)`.execute(conn)
    }
  })
}

/** Every column of the event row in the form the hash covers (time to the microsecond, UTC). */
function sealableColumns() {
  return [
    'e.id',
    sql<string>`to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('occurredAt'),
    'e.service',
    'e.action',
    'e.outcome',
    'e.actorId',
    'e.actorOrganisation',
    'e.actorRoles',
    'e.actorOnBehalfOf',
    'e.subjectKey',
    'e.resourceType',
    'e.resourceId',
    'e.requestId',
    'e.clientIp',
    'e.userAgent',
    'e.purpose',
    'e.xactId',
  ] as const
}

/** The oldest transaction still running in this transaction's snapshot (its first statement fixes it). */
async function snapshotHorizon(trx: Trx): Promise<number> {
  const { rows } = await sql<{
    horizon: string
  }>`select pg_snapshot_xmin(pg_current_snapshot())::text as horizon`.execute(trx)
  return Number(rows[0]?.horizon)
}

async function latestPurge(db: Db | Trx): Promise<Checkpoint | undefined> {
  return db
    .selectFrom('audit.checkpoints')
    .select(checkpointColumns)
    .where('kind', '=', 'purge')
    .orderBy('count', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
}

/** Where the retained chain starts: the latest purge checkpoint, or the genesis. */
async function chainBase(db: Db | Trx): Promise<{ head: ChainHead; purge: Checkpoint | undefined }> {
  const purge = await latestPurge(db)
  return { head: purge ? { count: purge.count, hash: purge.head } : { count: 0, hash: GENESIS_HASH }, purge }
}

async function chainHead(trx: Trx): Promise<ChainHead> {
  const last = await trx
    .selectFrom('audit.seals')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst()
  return last ? { count: last.seq, hash: last.hash } : (await chainBase(trx)).head
}

async function writeCheckpoint(
  trx: Trx,
  signer: CheckpointSigner,
  statement: CheckpointStatement,
  horizon: number,
): Promise<Checkpoint> {
  return trx
    .insertInto('audit.checkpoints')
    .values({
      ...statement,
      horizon,
      keyId: signer.keyId,
      signature: signer.sign(statement),
    })
    .returning(checkpointColumns)
    .executeTakeFirstOrThrow()
}

/**
 * Appends every committed, not yet sealed event to the chain, in id order within this run. Events are
 * found by "has no seal" rather than "id above the last sealed id": a transaction that took its id early
 * and committed late is sealed by the next run, after events with higher ids. Only events of
 * transactions at or after the previous run's horizon can still be unsealed, so that bounds the scan.
 */
async function sealPending(
  trx: Trx,
  now: Date,
  batchSize: number,
): Promise<{ sealed: number; head: ChainHead; horizon: number }> {
  const horizon = await snapshotHorizon(trx)
  const previous = await trx
    .selectFrom('audit.checkpoints')
    .select('horizon')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  const since = previous?.horizon ?? 0
  let head = await chainHead(trx)
  let sealed = 0
  const bounds = await trx
    .selectFrom('audit.events')
    .select((eb) => [eb.fn.min('id').as('low'), eb.fn.max('id').as('high')])
    .where('xactId', '>=', since)
    .executeTakeFirstOrThrow()
  if (bounds.low === null || bounds.high === null) return { sealed, head, horizon }
  // Walked in id ranges of batchSize, so each query's work is bounded whatever plan the statistics give
  // (right after a bulk load they know nothing of the rows, nor of the seals this run adds).
  for (let low = Number(bounds.low); low <= Number(bounds.high); low += batchSize) {
    const high = low + batchSize
    const batch: SealableEvent[] = await trx
      .selectFrom('audit.events as e')
      .select(sealableColumns())
      .where('e.xactId', '>=', since)
      .where('e.id', '>=', low)
      .where('e.id', '<', high)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('audit.seals as s')
              .select('s.seq')
              .whereRef('s.eventId', '=', 'e.id')
              .where('s.eventId', '>=', low)
              .where('s.eventId', '<', high),
          ),
        ),
      )
      .orderBy('e.id')
      .execute()
    if (batch.length === 0) continue
    const seals = batch.map((event) => {
      const seq = head.count + 1
      const hash = chainHash(head.hash, seq, event)
      const seal = { seq, eventId: event.id, prevHash: head.hash, hash }
      head = { count: seq, hash }
      return seal
    })
    // As arrays: one statement with five parameters rather than five per seal.
    await sql`
      insert into audit.seals (seq, event_id, prev_hash, hash, sealed_at)
      select seq, event_id, prev_hash, hash, ${now}::timestamptz
      from unnest(${seals.map((x) => x.seq)}::bigint[], ${seals.map((x) => x.eventId)}::bigint[],
        ${seals.map((x) => x.prevHash)}::text[], ${seals.map((x) => x.hash)}::text[])
        as s (seq, event_id, prev_hash, hash)`.execute(trx)
    sealed += batch.length
  }
  return { sealed, head, horizon }
}

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
export async function sealAuditEvents(db: Db, options: SealOptions): Promise<SealResult | undefined> {
  const now = options.clock.now()
  return withChainLock(db, options.wait ?? true, (conn) =>
    conn
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const run = await sealPending(trx, now, options.batchSize ?? 5000)
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
export async function purgeAuditEvents(db: Db, options: PurgeOptions): Promise<PurgeResult> {
  const now = options.clock.now()
  const retainedFrom = new Date(now.getTime() - options.retentionDays * DAY_MS)
  const result = await withChainLock(db, true, (conn) =>
    conn
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx): Promise<PurgeResult> => {
        const run = await sealPending(trx, now, options.batchSize ?? 5000)
        const nothing = { purged: 0, retainedFrom, checkpoint: null }
        if (run.head.count === 0) return nothing
        await writeCheckpoint(
          trx,
          options.signer,
          { kind: 'seal', count: run.head.count, head: run.head.hash, sealedAt: now, retainedFrom: null },
          run.horizon,
        )
        const firstKept = await trx
          .selectFrom('audit.seals as s')
          .innerJoin('audit.events as e', 'e.id', 's.eventId')
          .select('s.seq')
          .where('e.occurredAt', '>=', retainedFrom)
          .orderBy('s.seq')
          .limit(1)
          .executeTakeFirst()
        const cut = firstKept ? firstKept.seq - 1 : run.head.count
        const base = await chainBase(trx)
        if (cut <= base.head.count) return nothing
        const atCut = await trx
          .selectFrom('audit.seals')
          .select('hash')
          .where('seq', '=', cut)
          .executeTakeFirstOrThrow()
        const checkpoint = await writeCheckpoint(
          trx,
          options.signer,
          { kind: 'purge', count: cut, head: atCut.hash, sealedAt: now, retainedFrom },
          run.horizon,
        )
        // The flag is transaction-local and covers only these deletes (the events, their seals and the
        // seal checkpoints the purge checkpoint supersedes).
        await sql`set local audit.purge = 'on'`.execute(trx)
        const { rows: deleted } = await sql<{ n: number }>`
          with seals as (delete from audit.seals where seq <= ${cut} returning event_id),
            events as (delete from audit.events where id in (select event_id from seals) returning id)
          select count(*)::int as n from events`.execute(trx)
        await trx
          .deleteFrom('audit.checkpoints')
          .where('kind', '=', 'seal')
          .where('count', '<', cut)
          .execute()
        await sql`set local audit.purge = 'off'`.execute(trx)
        const purged = deleted[0]?.n ?? 0
        await recordAudit(trx, serviceActor('audit-service', now), 'audit.purge', {
          resource: { type: 'audit_chain', id: String(cut) },
          purpose: 'retention',
        })
        return { purged, retainedFrom, checkpoint }
      }),
  )
  return result as PurgeResult
}

export async function listCheckpoints(db: Db | Trx, beforeId: number | undefined, limit: number) {
  return db
    .selectFrom('audit.checkpoints')
    .select(checkpointColumns)
    .$if(beforeId !== undefined, (qb) => qb.where('id', '<', beforeId as number))
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
}

export type BreakReason =
  | 'hash_mismatch'
  | 'event_missing'
  | 'sequence_gap'
  | 'checkpoint_mismatch'
  | 'checkpoint_signature'
  | 'checkpoint_beyond_chain'
  | 'event_outside_chain'

export interface ChainBreak {
  /** Position in the chain where verification stopped; null for an event outside the chain. */
  seq: number | null
  eventId: number | null
  reason: BreakReason
  detail: string
}

export interface VerifyResult {
  ok: boolean
  /** Sealed events whose hash was recomputed and found right. */
  checked: number
  firstBreak: ChainBreak | null
  /** The recomputed head (up to the break). */
  head: ChainHead
  /** Checkpoints whose head was compared and whose signature was checked with the current key. */
  checkpointsVerified: number
  /** Checkpoints signed with another key (before a key rotation): head compared, signature not checked. */
  checkpointsOtherKey: number
  /** Committed events waiting for the next sealing run: not yet protected. */
  unsealed: number
}

export interface VerifyOptions {
  signer: CheckpointSigner
  /** A checkpoint held elsewhere (count and head), checked against the recomputed chain. */
  external?: ChainHead | undefined
  batchSize?: number
}

/**
 * Recomputes the whole retained chain from its signed base, in one snapshot, batch by batch (bounded
 * memory). Stops at the first break: a seal whose hash does not match its event, a missing event or
 * seal, a checkpoint (stored or given) that disagrees with the recomputed head or is not signed by our
 * key, a checkpoint beyond the end (the tail was cut), or an event the sealer should have sealed.
 */
export async function verifyChain(db: Db, options: VerifyOptions): Promise<VerifyResult> {
  const { signer, external } = options
  const batchSize = options.batchSize ?? 10_000
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const base = await chainBase(trx)
      let head = base.head
      let checked = 0
      let checkpointsVerified = 0
      let checkpointsOtherKey = 0
      const broken = async (firstBreak: ChainBreak): Promise<VerifyResult> => ({
        ok: false,
        checked,
        firstBreak,
        head,
        checkpointsVerified,
        checkpointsOtherKey,
        unsealed: (await unsealedEvents(trx)).pending,
      })

      /** Compares a checkpoint with the recomputed hash at its count; a break, or null when it holds. */
      const judge = (c: Checkpoint, hashAtCount: string): ChainBreak | null => {
        if (c.keyId === signer.keyId) {
          if (!signer.verify(statementOf(c), c.signature)) {
            return {
              seq: c.count,
              eventId: null,
              reason: 'checkpoint_signature',
              detail: `checkpoint ${c.id} is not validly signed by key ${signer.keyId}`,
            }
          }
          checkpointsVerified++
        } else {
          checkpointsOtherKey++
        }
        if (c.head !== hashAtCount) {
          return {
            seq: c.count,
            eventId: null,
            reason: 'checkpoint_mismatch',
            detail: `checkpoint ${c.id} says the head at ${c.count} is ${c.head}; the chain gives ${hashAtCount}`,
          }
        }
        return null
      }

      // The base grants trust to everything it cut away, so it alone must carry our signature.
      if (base.purge) {
        if (
          base.purge.keyId !== signer.keyId ||
          !signer.verify(statementOf(base.purge), base.purge.signature)
        ) {
          return broken({
            seq: base.purge.count,
            eventId: null,
            reason: 'checkpoint_signature',
            detail: `the purge checkpoint ${base.purge.id} the chain starts from is not signed by key ${signer.keyId}`,
          })
        }
        checkpointsVerified++
      }
      if (external && external.count < base.head.count) {
        throw ruleViolation(
          '/count',
          `the retention purge removed the events up to ${base.head.count}; a checkpoint before that cannot be checked`,
        )
      }
      const externalBreak = (hashAtCount: string): ChainBreak | null =>
        external && external.hash !== hashAtCount
          ? {
              seq: external.count,
              eventId: null,
              reason: 'checkpoint_mismatch',
              detail: `the given checkpoint says the head at ${external.count} is ${external.hash}; the chain gives ${hashAtCount}`,
            }
          : null
      if (external?.count === base.head.count) {
        const wrong = externalBreak(base.head.hash)
        if (wrong) return broken(wrong)
      }
      const atBase = await checkpointsBetween(trx, base.head.count, base.head.count)
      for (const c of atBase.filter((c) => c.id !== base.purge?.id)) {
        const wrong = judge(c, base.head.hash)
        if (wrong) return broken(wrong)
      }

      for (;;) {
        const from = head.count + 1
        const rows = await trx
          .selectFrom('audit.seals as s')
          .leftJoin('audit.events as e', 'e.id', 's.eventId')
          .select(['s.seq', 's.eventId', 's.prevHash', 's.hash as sealHash'])
          .select(sealableColumns())
          .where('s.seq', '>=', from)
          .orderBy('s.seq')
          .limit(batchSize)
          .execute()
        if (rows.length === 0) break
        const last = (rows.at(-1) as { seq: number }).seq
        const checkpoints = new Map<number, Checkpoint[]>()
        for (const c of await checkpointsBetween(trx, from, last)) {
          checkpoints.set(c.count, [...(checkpoints.get(c.count) ?? []), c])
        }
        for (const row of rows) {
          const expected = head.count + 1
          if (row.seq !== expected) {
            return broken({
              seq: expected,
              eventId: null,
              reason: 'sequence_gap',
              detail: `seal ${expected} is missing; the chain continues at ${row.seq}`,
            })
          }
          if (row.id === null) {
            return broken({
              seq: row.seq,
              eventId: row.eventId,
              reason: 'event_missing',
              detail: `event ${row.eventId}, sealed at ${row.seq}, is gone`,
            })
          }
          const hash = chainHash(head.hash, row.seq, row as SealableEvent)
          if (row.prevHash !== head.hash || row.sealHash !== hash) {
            return broken({
              seq: row.seq,
              eventId: row.eventId,
              reason: 'hash_mismatch',
              detail: `event ${row.eventId} or its seal at ${row.seq} was changed after sealing`,
            })
          }
          head = { count: row.seq, hash }
          checked++
          for (const c of checkpoints.get(row.seq) ?? []) {
            const wrong = judge(c, hash)
            if (wrong) return broken(wrong)
          }
          if (external?.count === row.seq) {
            const wrong = externalBreak(hash)
            if (wrong) return broken(wrong)
          }
        }
        if (rows.length < batchSize) break
      }

      const beyond = await trx
        .selectFrom('audit.checkpoints')
        .select(['id', 'count'])
        .where('count', '>', head.count)
        .orderBy('count')
        .limit(1)
        .executeTakeFirst()
      const coveredByCheckpoint = Math.max(beyond?.count ?? 0, external?.count ?? 0)
      if (coveredByCheckpoint > head.count) {
        return broken({
          seq: head.count + 1,
          eventId: null,
          reason: 'checkpoint_beyond_chain',
          detail: `a checkpoint covers ${coveredByCheckpoint} events but the chain ends at ${head.count}: its tail was removed`,
        })
      }

      const { pending, outside } = await unsealedEvents(trx)
      if (outside !== null) {
        return broken({
          seq: null,
          eventId: outside,
          reason: 'event_outside_chain',
          detail: `event ${outside} is older than the last sealing run's horizon but has no seal`,
        })
      }
      return {
        ok: true,
        checked,
        firstBreak: null,
        head,
        checkpointsVerified,
        checkpointsOtherKey,
        unsealed: pending,
      }
    })
}

async function checkpointsBetween(trx: Trx, from: number, to: number): Promise<Checkpoint[]> {
  return trx
    .selectFrom('audit.checkpoints')
    .select(checkpointColumns)
    .where('count', '>=', from)
    .where('count', '<=', to)
    .orderBy('id')
    .execute()
}

/**
 * Committed events without a seal: `pending` ones belong to transactions at or after the latest
 * sealing run's horizon and wait for the next run. Every event of an older transaction was visible to
 * that run and sealed by it, so the first of those without a seal (`outside`) was slipped in around
 * the sealer, or its seal and event were removed and the event put back.
 */
async function unsealedEvents(trx: Trx): Promise<{ pending: number; outside: number | null }> {
  const latest = await trx
    .selectFrom('audit.checkpoints')
    .select('horizon')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  const horizon = latest?.horizon ?? 0
  const row = await trx
    .selectFrom('audit.events as e')
    .select([
      sql<number>`count(*) filter (where e.xact_id >= ${horizon})`.as('pending'),
      sql<number | null>`min(e.id) filter (where e.xact_id < ${horizon})`.as('outside'),
    ])
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('audit.seals as s').select('s.seq').whereRef('s.eventId', '=', 'e.id'))),
    )
    .executeTakeFirstOrThrow()
  return { pending: Number(row.pending), outside: row.outside === null ? null : Number(row.outside) }
}
