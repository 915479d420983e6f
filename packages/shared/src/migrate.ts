import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely'
import { createDb } from './db/index.js'
import { applyServiceRoleGrants } from './db/service-roles.js'
import { QUEUE_SETTINGS, SCHEDULED_QUEUE_SETTINGS } from './events.js'
import { installQueueSchema } from './queue.js'

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url))

/** Reads the ordered plain-SQL files of migrations/; each runs in its own transaction. */
class SqlFileMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort()
    const migrations: Record<string, Migration> = {}
    for (const file of files) {
      const text = await readFile(`${MIGRATIONS_DIR}/${file}`, 'utf8')
      migrations[file.replace(/\.sql$/, '')] = {
        up: async (db: Kysely<unknown>) => {
          await sql.raw(text).execute(db)
        },
      }
    }
    return migrations
  }
}

/** Brings a database to the current schema: our SQL migrations, then pg-boss's schema and queues. */
export async function migrate(
  databaseUrl: string,
  log: (line: string) => void = () => undefined,
): Promise<void> {
  const db = createDb<unknown>(databaseUrl, { max: 1, applicationName: 'verwijsindex-migrate' })
  try {
    const migrator = new Migrator({ db, provider: new SqlFileMigrationProvider() })
    const { error, results } = await migrator.migrateToLatest()
    for (const result of results ?? []) log(`migration ${result.migrationName}: ${result.status}`)
    if (error) throw error
  } finally {
    await db.destroy()
  }
  await installQueueSchema(databaseUrl, { ...QUEUE_SETTINGS, ...SCHEDULED_QUEUE_SETTINGS })
  await grantServiceRoles(databaseUrl)
}

/**
 * Grants the service roles `npm run db:roles` recorded what they need, pg-boss's schema included (it is
 * installed after our migrations). A role that does not exist yet is skipped.
 */
export async function grantServiceRoles(databaseUrl: string): Promise<void> {
  const db = createDb<unknown>(databaseUrl, { max: 1, applicationName: 'verwijsindex-migrate' })
  try {
    await applyServiceRoleGrants(db)
  } finally {
    await db.destroy()
  }
}
