import type { Kysely, Transaction } from 'kysely'
import { compiledOnce } from './compiled-once.js'
import { type Organisation, type SharedTables, sharedView } from './tables.js'

// Every request with a token reads its organisation: compiled once.
const organisationById = compiledOnce((db: Kysely<SharedTables>, p: { id: string }) =>
  db.selectFrom('match.organisations').selectAll().where('id', '=', p.id),
)

export async function findOrganisation<DB extends SharedTables>(
  db: Transaction<DB> | Kysely<DB>,
  id: string,
): Promise<Organisation | undefined> {
  return (await organisationById(sharedView(db), { id }))[0]
}

/** The organisations of these ids that exist, by id (one query for a batch of deliveries). */
export async function findOrganisations<DB extends SharedTables>(
  db: Transaction<DB> | Kysely<DB>,
  ids: readonly string[],
): Promise<Map<string, Organisation>> {
  if (ids.length === 0) return new Map()
  const rows = await sharedView(db)
    .selectFrom('match.organisations')
    .selectAll()
    .where('id', 'in', [...new Set(ids)])
    .execute()
  return new Map(rows.map((r) => [r.id, r]))
}
