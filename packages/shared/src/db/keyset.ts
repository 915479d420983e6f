import { sql } from 'kysely'

/**
 * Keyset pagination newest first: the rows after the cursor's in `ORDER BY createdAt DESC, id DESC`.
 * One row-value comparison, which PostgreSQL answers from an index on (created_at, id).
 */
export function olderThan(
  createdAtColumn: string,
  idColumn: string,
  after: { createdAt: string; id: string },
) {
  return sql<boolean>`(${sql.ref(createdAtColumn)}, ${sql.ref(idColumn)}) < (${new Date(after.createdAt)}, ${after.id})`
}
