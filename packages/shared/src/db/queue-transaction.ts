import { CompiledQuery, type Transaction } from 'kysely'
import type PgBoss from 'pg-boss'

/**
 * pg-boss's way into a caller's transaction: the job is inserted on the transaction's connection, so an
 * event exists exactly when the change that caused it commits.
 */
export function inTransaction<DB>(trx: Transaction<DB>): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[]) {
      const result = await trx.executeQuery(CompiledQuery.raw(text, values))
      return { rows: result.rows as PgBoss.Job[] }
    },
  }
}
