import type { AuditOutcome } from '@verwijsindex/shared'
import {
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type SqlBool,
  sql,
  type Transaction,
} from 'kysely'
import type { AuditDatabase } from './schema.js'

type Db = Kysely<AuditDatabase> | Transaction<AuditDatabase>
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

/** (occurred_at to the microsecond, id): the keyset of time-ordered lists. */
export type EventKey = [string, number]

export interface EventRow {
  id: number
  occurredAt: Date
  /** occurred_at to the microsecond, for cursors: a JS Date would round it to the millisecond. */
  occurredAtKey: string
  service: string
  action: string
  outcome: AuditOutcome
  actorId: string | null
  actorOrganisation: string | null
  actorRoles: string[]
  actorOnBehalfOf: string | null
  subjectKey: string | null
  resourceType: string | null
  resourceId: string | null
  requestId: string | null
  clientIp: string | null
  userAgent: string | null
  purpose: string | null
}

export const occurredAtText = sql<string>`to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

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
    .select([
      'id',
      'occurredAt',
      occurredAtText.as('occurredAtKey'),
      'service',
      'action',
      'outcome',
      'actorId',
      'actorOrganisation',
      'actorRoles',
      'actorOnBehalfOf',
      'subjectKey',
      'resourceType',
      'resourceId',
      'requestId',
      'clientIp',
      'userAgent',
      'purpose',
    ])
}

/** Newest first. */
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
