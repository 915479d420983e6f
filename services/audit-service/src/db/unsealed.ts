import { sql } from 'kysely'
import type { SealableEvent } from '../domain/chain.js'
import { sealableColumns } from './events.js'
import type { Db } from './schema.js'

/** The id range of the events of transactions at or after `horizon`; undefined when there are none. */
export async function idRangeSince(
  db: Db,
  horizon: number,
): Promise<{ low: number; high: number } | undefined> {
  const bounds = await db
    .selectFrom('audit.events')
    .select((eb) => [eb.fn.min('id').as('low'), eb.fn.max('id').as('high')])
    .where('xactId', '>=', horizon)
    .executeTakeFirstOrThrow()
  if (bounds.low === null || bounds.high === null) return undefined
  return { low: Number(bounds.low), high: Number(bounds.high) }
}

/**
 * The events without a seal in the id range [low, high) of transactions at or after `horizon`, in id
 * order. The seal lookup is bounded to the range too, so the work stays bounded whatever plan the
 * statistics give.
 */
export async function unsealedBetween(
  db: Db,
  horizon: number,
  low: number,
  high: number,
): Promise<SealableEvent[]> {
  return db
    .selectFrom('audit.events as e')
    .select(sealableColumns)
    .where('e.xactId', '>=', horizon)
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
}

/**
 * Committed events without a seal: `pending` ones belong to transactions at or after the latest
 * sealing run's horizon and wait for the next run. Every event of an older transaction was visible to
 * that run and sealed by it, so the first of those without a seal (`outside`) was slipped in around
 * the sealer, or its seal and event were removed and the event put back.
 */
export async function unsealedEvents(
  db: Db,
  horizon: number,
): Promise<{ pending: number; outside: number | null }> {
  const row = await db
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
