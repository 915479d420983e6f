import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'

// Dates (YYYY-MM-DD) stay strings: turning them into JS Dates would shift them by the server's zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value)
// bigint ids and counts fit comfortably in a double here; strings would leak into every API answer.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value))

export interface DbOptions {
  max?: number
  applicationName?: string
  onIdleError?: (error: Error) => void
}

export function createPool(url: string, options: DbOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'verwijsindex',
    idleTimeoutMillis: 10_000,
  })
  // An idle connection the server drops (restart, failover) must not crash the process; the pool
  // replaces it on the next checkout.
  pool.on('error', (error) => options.onIdleError?.(error))
  return pool
}

export function createDb<DB>(url: string, options: DbOptions = {}): Kysely<DB> {
  return new Kysely<DB>({
    dialect: new PostgresDialect({ pool: createPool(url, options) }),
    plugins: [new CamelCasePlugin()],
  })
}

export async function pingDatabase<DB>(db: Kysely<DB>): Promise<void> {
  await sql`select 1`.execute(db)
}
