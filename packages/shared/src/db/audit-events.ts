import type { Insertable, Kysely, Transaction } from 'kysely'
import { type AuditEventsTable, type SharedTables, sharedView } from './tables.js'

/** Appends audit events; the table refuses UPDATE and DELETE (a trigger), so this is the only write. */
export async function insertAuditEvents<DB extends SharedTables>(
  db: Transaction<DB> | Kysely<DB>,
  rows: Insertable<AuditEventsTable>[],
): Promise<void> {
  if (rows.length === 0) return
  await sharedView(db).insertInto('audit.events').values(rows).execute()
}
