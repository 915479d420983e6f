import type { Kysely, Transaction } from 'kysely'
import { type Organisation, type SharedTables, sharedView } from './tables.js'

export async function findOrganisation<DB extends SharedTables>(
  db: Transaction<DB> | Kysely<DB>,
  id: string,
): Promise<Organisation | undefined> {
  return sharedView(db).selectFrom('match.organisations').selectAll().where('id', '=', id).executeTakeFirst()
}
