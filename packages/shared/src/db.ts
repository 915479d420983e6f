import {
  CamelCasePlugin,
  type ColumnType,
  type Generated,
  Kysely,
  PostgresDialect,
  type Selectable,
  sql,
  type Transaction,
} from 'kysely'
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

/** audit.events: one row per access or attempted access (NEN 7513). Written by every service. */
export interface AuditEventsTable {
  id: Generated<number>
  occurredAt: ColumnType<Date, Date | string, never>
  service: string
  action: string
  outcome: 'success' | 'denied' | 'error'
  actorId: string | null
  actorOrganisation: string | null
  actorRoles: string[]
  actorOnBehalfOf: string | null
  subjectKey: string | null
  resourceType: string | null
  resourceId: string | null
  requestId: string | null
  clientIp: string | null
  userAgent: string | null
  purpose: string | null
}

/**
 * match.organisations: owned by match-service, read by every service's kernel to refuse tokens acting for
 * an unknown or deactivated organisation.
 */
export interface OrganisationsTable {
  id: string
  name: string
  sector: string
  regionCode: string
  email: string
  mayCoordinate: boolean
  active: boolean
  createdAt: ColumnType<Date, Date | string, Date | string>
  updatedAt: ColumnType<Date, Date | string, Date | string>
}

export type Organisation = Selectable<OrganisationsTable>

export async function findOrganisation<DB extends SharedTables>(
  db: Transaction<DB> | Kysely<DB>,
  id: string,
): Promise<Organisation | undefined> {
  return sharedView(db).selectFrom('match.organisations').selectAll().where('id', '=', id).executeTakeFirst()
}

export interface SubjectKeyFingerprintTable {
  id: Generated<boolean>
  fingerprint: string
  createdAt: Generated<Date>
}

/** The tables packages/shared itself touches; each service's Database extends this. */
export interface SharedTables {
  'audit.events': AuditEventsTable
  'match.subjectKeyFingerprint': SubjectKeyFingerprintTable
  'match.organisations': OrganisationsTable
}

/**
 * Kysely's database type is invariant, so a service's `Kysely<MatchDatabase>` is not a
 * `Kysely<SharedTables>` to the compiler although it holds every shared table; this is the one place
 * that says so.
 */
export function sharedView<DB extends SharedTables>(db: Transaction<DB> | Kysely<DB>): Kysely<SharedTables> {
  return db as unknown as Kysely<SharedTables>
}
