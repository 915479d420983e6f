import { type Actor, decodeCursor, pageOf, recordAudit } from '@verwijsindex/shared'
import type { Kysely } from 'kysely'
import { countEvents, type EventCount, type EventFilters, listEvents } from '../db/events.js'
import type { AuditDatabase } from '../db/schema.js'
import { type ApiAuditEvent, AUDIT_LOG, eventKeySchema, toAuditEvent } from '../domain/event.js'

export interface PageQuery {
  cursor?: string | undefined
  limit: number
}

/** The events an auditor searches for, newest first, one page. */
export async function searchEvents(
  db: Kysely<AuditDatabase>,
  actor: Actor,
  filters: EventFilters,
  page: PageQuery,
): Promise<{ items: ApiAuditEvent[]; nextCursor: string | null }> {
  const before = decodeCursor(page.cursor, eventKeySchema)
  const rows = await db.transaction().execute(async (trx) => {
    const found = await listEvents(trx, filters, before, page.limit + 1)
    await recordAudit(trx, actor, 'audit.query', { resource: AUDIT_LOG })
    return found
  })
  const { items, nextCursor } = pageOf(rows, page.limit, (row) => [row.occurredAtKey, row.id])
  return { items: items.map(toAuditEvent), nextCursor }
}

/** Numbers of events per acting organisation and action over a period. */
export async function countAuditEvents(
  db: Kysely<AuditDatabase>,
  actor: Actor,
  filters: EventFilters,
): Promise<EventCount[]> {
  return db.transaction().execute(async (trx) => {
    const counts = await countEvents(trx, filters)
    await recordAudit(trx, actor, 'audit.counts', { resource: AUDIT_LOG })
    return counts
  })
}
