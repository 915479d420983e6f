import { sql } from 'kysely'
import type { Db } from './schema.js'

/**
 * Events after the chain's head (the newest sealed event): how many, and when the oldest of them
 * happened. Two index lookups and a range count, cheap whatever the trail's size.
 */
export async function unsealedFigures(db: Db): Promise<{ unsealed: number; oldest: Date | null }> {
  const { rows } = await sql<{ unsealed: string; oldest: Date | null }>`
    select count(*) as unsealed, min(occurred_at) as oldest from audit.events
    where id > coalesce((select max(event_id) from audit.seals), 0)`.execute(db)
  const row = rows[0]
  return { unsealed: Number(row?.unsealed ?? 0), oldest: row?.oldest ?? null }
}
