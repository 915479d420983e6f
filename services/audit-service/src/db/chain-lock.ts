import { type Kysely, sql, type Transaction } from 'kysely'
import type { AuditDatabase } from './schema.js'

/** One advisory lock for everything that extends or cuts the chain: sealing runs and the retention purge. */
const CHAIN_LOCK = 7513_0001

/**
 * Runs `work` holding the chain lock on a connection of its own; undefined when `wait` is false and
 * another run holds it. A session lock, taken before the work's REPEATABLE READ transaction begins: taken
 * inside it, the snapshot would predate the previous holder's commit and the run would not see the seals
 * it just wrote.
 */
export async function withChainLock<T>(
  db: Kysely<AuditDatabase>,
  wait: boolean,
  work: (conn: Kysely<AuditDatabase>) => Promise<T>,
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

/** The oldest transaction still running in this transaction's snapshot (its first statement fixes it). */
export async function snapshotHorizon(trx: Transaction<AuditDatabase>): Promise<number> {
  const { rows } = await sql<{
    horizon: string
  }>`select pg_snapshot_xmin(pg_current_snapshot())::text as horizon`.execute(trx)
  return Number(rows[0]?.horizon)
}
