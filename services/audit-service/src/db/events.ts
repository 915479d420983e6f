import type { AuditOutcome } from '@verwijsindex/shared'
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely'
import { EVENT_COLUMNS, type EventKey, type StoredAuditEvent } from '../domain/event.js'
import type { AuditDatabase, Db } from './schema.js'

type EventsEb = ExpressionBuilder<AuditDatabase, 'audit.events'>

/** The filters of the auditor's views: the actor's organisation, the actor, action, outcome, period. */
export interface EventFilters {
  organisation?: string | undefined
  actor?: string | undefined
  action?: string | undefined
  outcome?: AuditOutcome | undefined
  /** Inclusive. */
  from?: Date | undefined
  /** Exclusive. */
  to?: Date | undefined
}

/** An event with its time to the microsecond, for cursors: a JS Date would round it to the millisecond. */
export type EventRow = StoredAuditEvent & { occurredAtKey: string }

type TimelessColumn = Exclude<(typeof EVENT_COLUMNS)[number], 'occurredAt'>

/** The event columns but the time, which each query reads in the form it needs. */
const TIMELESS_COLUMNS = EVENT_COLUMNS.filter((column): column is TimelessColumn => column !== 'occurredAt')

/** occurred_at to the microsecond in UTC: the form of cursors and of the hash chain. */
const occurredAtText = sql<string>`to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

/** Every column of the event row in the form the hash covers (time to the microsecond, UTC). */
export const sealableColumns = [...TIMELESS_COLUMNS, occurredAtText.as('occurredAt'), 'xactId' as const]

function filterEvents(eb: EventsEb, filters: EventFilters): Expression<SqlBool> {
  const conditions: Expression<SqlBool>[] = []
  if (filters.organisation !== undefined) conditions.push(eb('actorOrganisation', '=', filters.organisation))
  if (filters.actor !== undefined) conditions.push(eb('actorId', '=', filters.actor))
  if (filters.action !== undefined) conditions.push(eb('action', '=', filters.action))
  if (filters.outcome !== undefined) conditions.push(eb('outcome', '=', filters.outcome))
  if (filters.from !== undefined) conditions.push(eb('occurredAt', '>=', filters.from))
  if (filters.to !== undefined) conditions.push(eb('occurredAt', '<', filters.to))
  return eb.and(conditions)
}

function selectEvents(db: Db) {
  return db
    .selectFrom('audit.events')
    .select([...TIMELESS_COLUMNS, 'occurredAt', occurredAtText.as('occurredAtKey')])
}

/**
 * Newest first. The keyset compares occurred_at to the microsecond, which the shared `olderThan` (a
 * Date, to the millisecond) cannot: events of one millisecond would be skipped.
 */
export async function listEvents(
  db: Db,
  filters: EventFilters,
  before: EventKey | undefined,
  limit: number,
): Promise<EventRow[]> {
  return selectEvents(db)
    .where((eb) => filterEvents(eb, filters))
    .$if(before !== undefined, (qb) =>
      qb.where(sql<boolean>`(occurred_at, id) < (${before?.[0]}::timestamptz, ${before?.[1]}::bigint)`),
    )
    .orderBy('occurredAt', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
}

/** A child's accesses, oldest first (the NEN 7513 client view). */
export async function listSubjectEvents(
  db: Db,
  subjectKey: string,
  period: { from?: Date | undefined; to?: Date | undefined },
  after: EventKey | undefined,
  limit: number,
): Promise<EventRow[]> {
  return selectEvents(db)
    .where('subjectKey', '=', subjectKey)
    .where((eb) => filterEvents(eb, period))
    .$if(after !== undefined, (qb) =>
      qb.where(sql<boolean>`(occurred_at, id) > (${after?.[0]}::timestamptz, ${after?.[1]}::bigint)`),
    )
    .orderBy('occurredAt', 'asc')
    .orderBy('id', 'asc')
    .limit(limit)
    .execute()
}

/** One batch of the export, in id order (what a SIEM resumes from). */
/** The export transaction's own statement and idle-in-transaction limits (0: none). */
export async function setExportTimeouts(db: Db, timeoutMs: number): Promise<void> {
  const value = String(Math.trunc(timeoutMs))
  await sql`select set_config('statement_timeout', ${value}, true), set_config('idle_in_transaction_session_timeout', ${value}, true)`.execute(
    db,
  )
}

export async function exportBatch(
  db: Db,
  filters: EventFilters,
  afterId: number,
  limit: number,
): Promise<EventRow[]> {
  return selectEvents(db)
    .where((eb) => filterEvents(eb, filters))
    .where('id', '>', afterId)
    .orderBy('id', 'asc')
    .limit(limit)
    .execute()
}

export interface EventCount {
  organisation: string | null
  action: string
  total: number
  success: number
  denied: number
  error: number
}

/** Counts per acting organisation and action over a period (operator roles count under `null`). */
export async function countEvents(db: Db, filters: EventFilters): Promise<EventCount[]> {
  const rows = await db
    .selectFrom('audit.events')
    .where((eb) => filterEvents(eb, filters))
    .select((eb) => [
      'actorOrganisation as organisation',
      'action',
      eb.fn.countAll<number>().as('total'),
      sql<number>`count(*) filter (where outcome = 'success')`.as('success'),
      sql<number>`count(*) filter (where outcome = 'denied')`.as('denied'),
      sql<number>`count(*) filter (where outcome = 'error')`.as('error'),
    ])
    .groupBy(['actorOrganisation', 'action'])
    .orderBy(sql`actor_organisation nulls first`)
    .orderBy('action')
    .execute()
  return rows.map((r) => ({ ...r, total: Number(r.total) }))
}
