import type { ColumnType, Generated, Kysely, Selectable, Transaction } from 'kysely'
import type { Sector } from '../events.js'

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
  /** One of SECTORS: only the validated API and the demo write it. */
  sector: Sector
  regionCode: string
  email: string
  mayCoordinate: boolean
  active: boolean
  createdAt: ColumnType<Date, Date | string, Date | string>
  updatedAt: ColumnType<Date, Date | string, Date | string>
}

export type Organisation = Selectable<OrganisationsTable>

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
