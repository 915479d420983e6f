import type { Kysely } from 'kysely'
import type { Actor } from './actor.js'
import { recordDenied } from './audit.js'
import type { SharedTables } from './db/index.js'
import { ProblemError } from './errors.js'

export interface VisibilityCheck<T> {
  /** What the caller asked for, as the audit trail names it. */
  resource: { type: string; id: string }
  /** The row as loaded, or undefined when there is none. */
  row: T | undefined
  /** Whether this caller may see the row. */
  visible: (row: T) => boolean
  /** The child the row is about, for the audit trail (a subject report must show the attempt). */
  subjectKeyOf?: (row: T) => string | null
}

/**
 * Need to know: a resource the caller may not see answers exactly as one that does not exist (404), so
 * a caller cannot learn that another organisation holds something; either way the attempt is recorded as
 * `access.denied` (NEN 7513 logs attempted access too), on its own, outside any transaction.
 */
export async function requireVisible<T, DB extends SharedTables>(
  db: Kysely<DB>,
  actor: Actor,
  check: VisibilityCheck<T>,
): Promise<T> {
  const { row, resource } = check
  if (row !== undefined && check.visible(row)) return row
  await recordDenied(db, actor, {
    subjectKey: row !== undefined ? (check.subjectKeyOf?.(row) ?? null) : null,
    resource,
  })
  throw new ProblemError('not_found', `No ${resource.type} ${resource.id}`)
}
