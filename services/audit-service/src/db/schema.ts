import type { AuditEventsTable, SharedTables } from '@verwijsindex/shared'
import type { ColumnType, Generated, Kysely, Transaction } from 'kysely'

/** audit.events as audit-service sees it: with the inserting transaction, which the sealer needs. */
export interface AuditEventsWithXact extends AuditEventsTable {
  /** Set by the database (pg_current_xact_id()); writers never give it. */
  xactId: Generated<number>
}

/** audit.seals: the hash chain, one row per sealed event (migrations/0003_audit_seal.sql). */
export interface SealsTable {
  seq: number
  eventId: number
  prevHash: string
  hash: string
  sealedAt: ColumnType<Date, Date, never>
}

/** audit.checkpoints: signed chain heads ('seal') and retained-chain starts ('purge'). */
export interface CheckpointsTable {
  id: Generated<number>
  kind: 'seal' | 'purge'
  count: number
  head: string
  sealedAt: ColumnType<Date, Date, never>
  retainedFrom: ColumnType<Date | null, Date | null, never>
  horizon: number
  keyId: string
  signature: string
}

/** audit-service's tables (schema `audit`): the events every service writes, and the seal over them. */
export interface AuditDatabase extends SharedTables {
  'audit.events': AuditEventsWithXact
  'audit.seals': SealsTable
  'audit.checkpoints': CheckpointsTable
}

/** The pool or a transaction: what a repository function that needs neither in particular takes. */
export type Db = Kysely<AuditDatabase> | Transaction<AuditDatabase>
