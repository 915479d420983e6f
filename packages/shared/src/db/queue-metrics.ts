import { type Kysely, sql } from 'kysely'
import type { SharedTables } from './tables.js'

export interface QueueDepth {
  queue: string
  waiting: number
  /** Age in seconds of the oldest job waiting to run; 0 when none waits. */
  oldestSeconds: number
}

/** Jobs waiting per queue (created or waiting for a retry), and how long the oldest has waited. */
export async function queueDepths(db: Kysely<SharedTables>): Promise<QueueDepth[]> {
  const { rows } = await sql<{ queue: string; waiting: string; oldest: number | null }>`
    select name as queue, count(*) as waiting, extract(epoch from now() - min(created_on)) as oldest
    from pgboss.job where state in ('created', 'retry')
    group by name`.execute(db)
  return rows.map((r) => ({
    queue: r.queue,
    waiting: Number(r.waiting),
    oldestSeconds: Math.max(0, Number(r.oldest ?? 0)),
  }))
}
