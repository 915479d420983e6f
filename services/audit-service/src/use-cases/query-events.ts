import {
  type Actor,
  decodeCursor,
  ProblemError,
  pageOf,
  recordAudit,
  recordDenied,
} from '@verwijsindex/shared'
import type { Kysely } from 'kysely'
import { countEvents, type EventCount, type EventFilters, listEvents } from '../db/events.js'
import type { AuditDatabase } from '../db/schema.js'
import { type ApiAuditEvent, AUDIT_LOG, eventKeySchema, toAuditEvent } from '../domain/event.js'
import { scopeFilters } from '../domain/scope.js'

export interface PageQuery {
  cursor?: string | undefined
  limit: number
}

/**
 * The filters this actor may search with (an organisation's auditor: its own staff only); another
 * organisation's events answer 404, recorded as access.denied.
 */
export async function scopedFilters(
  db: Kysely<AuditDatabase>,
  actor: Actor,
  filters: EventFilters,
): Promise<EventFilters> {
  const scoped = scopeFilters(actor, filters)
  if (scoped !== 'denied') return scoped
  await recordDenied(db, actor, { resource: AUDIT_LOG })
  throw new ProblemError('not_found', 'No audit events of that organisation for you')
}

/** The events an auditor searches for, newest first, one page. */
export async function searchEvents(
  db: Kysely<AuditDatabase>,
  actor: Actor,
  requested: EventFilters,
  page: PageQuery,
): Promise<{ items: ApiAuditEvent[]; nextCursor: string | null }> {
  const filters = await scopedFilters(db, actor, requested)
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
