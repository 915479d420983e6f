import { sql, type Transaction } from 'kysely'
import type { ChainHead, Seal } from '../domain/chain.js'
import type { SealedEventRow } from '../domain/verification.js'
import { sealableColumns } from './events.js'
import type { AuditDatabase, Db } from './schema.js'

type Trx = Transaction<AuditDatabase>

/** The last seal, as a chain head; undefined when nothing is sealed since the base. */
export async function lastSeal(db: Db): Promise<ChainHead | undefined> {
  const last = await db
    .selectFrom('audit.seals')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst()
  return last ? { count: last.seq, hash: last.hash } : undefined
}

export async function insertSeals(trx: Trx, seals: Seal[], sealedAt: Date): Promise<void> {
  // As arrays: one statement with five parameters rather than five per seal.
  await sql`
    insert into audit.seals (seq, event_id, prev_hash, hash, sealed_at)
    select seq, event_id, prev_hash, hash, ${sealedAt}::timestamptz
    from unnest(${seals.map((x) => x.seq)}::bigint[], ${seals.map((x) => x.eventId)}::bigint[],
      ${seals.map((x) => x.prevHash)}::text[], ${seals.map((x) => x.hash)}::text[])
      as s (seq, event_id, prev_hash, hash)`.execute(trx)
}

/** Up to `limit` seals from `from` on, in seq order, each with its event (null columns when it is gone). */
export async function sealsFrom(db: Db, from: number, limit: number): Promise<SealedEventRow[]> {
  return db
    .selectFrom('audit.seals as s')
    .leftJoin('audit.events as e', 'e.id', 's.eventId')
    .select(['s.seq', 's.eventId', 's.prevHash', 's.hash as sealHash'])
    .select(sealableColumns)
    .where('s.seq', '>=', from)
    .orderBy('s.seq')
    .limit(limit)
    .execute()
}

/** The position of the first sealed event that occurred at or after `since`. */
export async function firstSealSince(db: Db, since: Date): Promise<number | undefined> {
  const first = await db
    .selectFrom('audit.seals as s')
    .innerJoin('audit.events as e', 'e.id', 's.eventId')
    .select('s.seq')
    .where('e.occurredAt', '>=', since)
    .orderBy('s.seq')
    .limit(1)
    .executeTakeFirst()
  return first?.seq
}

export async function sealHashAt(db: Db, seq: number): Promise<string | undefined> {
  const seal = await db.selectFrom('audit.seals').select('hash').where('seq', '=', seq).executeTakeFirst()
  return seal?.hash
}

/**
 * Deletes the chain up to `cut`: the seals, their events and the seal checkpoints a purge checkpoint at
 * `cut` supersedes. Returns the number of events deleted.
 */
export async function deleteChainPrefix(trx: Trx, cut: number): Promise<number> {
  // The flag is transaction-local and covers only these deletes (the events, their seals and the
  // seal checkpoints the purge checkpoint supersedes).
  await sql`set local audit.purge = 'on'`.execute(trx)
  const { rows: deleted } = await sql<{ n: number }>`
    with seals as (delete from audit.seals where seq <= ${cut} returning event_id),
      events as (delete from audit.events where id in (select event_id from seals) returning id)
    select count(*)::int as n from events`.execute(trx)
  await trx.deleteFrom('audit.checkpoints').where('kind', '=', 'seal').where('count', '<', cut).execute()
  await sql`set local audit.purge = 'off'`.execute(trx)
  return deleted[0]?.n ?? 0
}
