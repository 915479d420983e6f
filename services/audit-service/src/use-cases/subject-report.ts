import { type Actor, decodeCursor, pageOf, recordAudit, subjectKey } from '@verwijsindex/shared'
import type { Kysely } from 'kysely'
import { listSubjectEvents } from '../db/events.js'
import type { AuditDatabase } from '../db/schema.js'
import { type ApiAuditEvent, AUDIT_LOG, eventKeySchema, toAuditEvent } from '../domain/event.js'
import type { PageQuery } from './query-events.js'

/** One access to the child's data: who (person, organisation, roles), what, when, and the outcome. */
export type SubjectAccess = Pick<
  ApiAuditEvent,
  'id' | 'occurredAt' | 'service' | 'action' | 'outcome' | 'actor' | 'resource' | 'purpose'
>

export interface SubjectReportRequest {
  bsn: string
  from?: Date | undefined
  to?: Date | undefined
}

/** Every access to a child's data, oldest first, one page (the NEN 7513 client view). */
export async function reportSubjectAccess(
  db: Kysely<AuditDatabase>,
  actor: Actor,
  subjectKeySecret: string,
  request: SubjectReportRequest,
  page: PageQuery,
): Promise<{ items: SubjectAccess[]; nextCursor: string | null }> {
  const after = decodeCursor(page.cursor, eventKeySchema)
  // The BSN goes no further than this line: everything below works with the keyed pseudonym.
  const key = subjectKey(request.bsn, subjectKeySecret)
  const period = { from: request.from, to: request.to }
  const rows = await db.transaction().execute(async (trx) => {
    const found = await listSubjectEvents(trx, key, period, after, page.limit + 1)
    // Reading the log about a child is itself an access to the child's data, and shows in later reports.
    await recordAudit(trx, actor, 'audit.subject_report', { subjectKey: key, resource: AUDIT_LOG })
    return found
  })
  const { items, nextCursor } = pageOf(rows, page.limit, (row) => [row.occurredAtKey, row.id])
  return {
    items: items.map((row) => {
      const { id, occurredAt, service, action, outcome, actor, resource, purpose } = toAuditEvent(row)
      return { id, occurredAt, service, action, outcome, actor, resource, purpose }
    }),
    nextCursor,
  }
}
