import type { Clock, PgBoss } from '@verwijsindex/shared'
import type { Kysely } from 'kysely'
import type { MatchDatabase } from './db/schema.js'

/** What every use case runs on: the database, the queue its events go to, the clock and the key secret. */
export interface MatchContext {
  db: Kysely<MatchDatabase>
  boss: PgBoss
  clock: Clock
  subjectKeySecret: string
  /** Region statistics: the smallest count published (STATISTICS_MIN_CELL). */
  statisticsMinCell: number
}
