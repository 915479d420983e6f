import { type CreatedAtCursor, olderThan } from '@verwijsindex/shared'
import { type Kysely, sql, type Transaction, type Updateable } from 'kysely'
import type { EndReason } from '../domain/registration.js'
import { timeFromJson, timeOrNullFromJson } from './json-times.js'
import type { MatchDatabase, NewRegistration, Registration, RegistrationsTable } from './schema.js'

export async function insertRegistration(
  trx: Transaction<MatchDatabase>,
  row: NewRegistration,
): Promise<Registration> {
  return trx.insertInto('match.registrations').values(row).returningAll().executeTakeFirstOrThrow()
}

/** What `registerIfFresh` answers. */
export interface FreshRegistration {
  registered: boolean
  /** Other organisations' ended registrations on the child exist. */
  historyAvailable: boolean
  /** When not registered: the child's active registrations, oldest first, read under its lock. */
  active: Registration[]
  /** When not registered: the child's open match, if any. */
  openMatchId: string | null
}

/**
 * Locks the child (creating its row if needed) and, when no registration on it is active and the
 * registration has no household, inserts it with its audit events: the SQL function of migrations 0080 and
 * 0100, one statement for most registrations. `registered: false` leaves the child locked in `trx` for the
 * general path, with what that path reads first.
 */
export async function registerIfFresh(
  trx: Transaction<MatchDatabase>,
  registration: Registration,
  birthDate: string,
  auditRows: readonly object[],
): Promise<FreshRegistration> {
  const { rows } = await sql<{
    registered: boolean
    historyAvailable: boolean
    active: Record<string, unknown>[]
    openMatchId: string | null
  }>`
    select registered, history_available as "historyAvailable", active, open_match_id as "openMatchId"
    from match.register_if_fresh(${JSON.stringify(registration)}::jsonb, ${birthDate}::date,
      ${JSON.stringify(auditRows)}::jsonb)`.execute(trx)
  const answer = rows[0] as (typeof rows)[number]
  return { ...answer, active: answer.active.map(registrationFromJson) }
}

const camelCase = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())

/** A registration row as `to_jsonb` gives it (snake_case keys, times as text), as kysely reads the row. */
function registrationFromJson(json: Record<string, unknown>): Registration {
  const row = Object.fromEntries(Object.entries(json).map(([k, v]) => [camelCase(k), v])) as Record<
    keyof Registration,
    unknown
  >
  const time = (value: unknown) => timeFromJson(value as string)
  const timeOrNull = (value: unknown) => timeOrNullFromJson(value as string | null)
  return {
    ...(row as Registration),
    createdAt: time(row.createdAt),
    endsAt: time(row.endsAt),
    endedAt: timeOrNull(row.endedAt),
    remindedAt: timeOrNull(row.remindedAt),
    householdVisibleAt: timeOrNull(row.householdVisibleAt),
    householdToldAt: timeOrNull(row.householdToldAt),
    probeSuspectedAt: timeOrNull(row.probeSuspectedAt),
  }
}

export async function activeRegistrationsOfSubject(
  trx: Kysely<MatchDatabase>,
  subjectKey: string,
): Promise<Registration[]> {
  return trx
    .selectFrom('match.registrations')
    .selectAll()
    .where('subjectKey', '=', subjectKey)
    .where('status', '=', 'active')
    .orderBy('createdAt')
    .orderBy('id')
    .execute()
}

/** An organisation's active registrations, in subject order (the order their subjects are locked in). */
export async function activeRegistrationsOfOrganisation(
  trx: Transaction<MatchDatabase>,
  organisationId: string,
): Promise<Registration[]> {
  return trx
    .selectFrom('match.registrations')
    .selectAll()
    .where('organisationId', '=', organisationId)
    .where('status', '=', 'active')
    .orderBy('subjectKey')
    .orderBy('id')
    .execute()
}

export async function getRegistration(
  db: Kysely<MatchDatabase>,
  id: string,
): Promise<Registration | undefined> {
  return db.selectFrom('match.registrations').selectAll().where('id', '=', id).executeTakeFirst()
}

/** An organisation's registrations, newest first. */
export async function listRegistrations(
  db: Kysely<MatchDatabase>,
  organisationId: string,
  filter: { status?: 'active' | 'ended' | undefined; after?: CreatedAtCursor | undefined },
  limit: number,
): Promise<Registration[]> {
  const { status, after } = filter
  return db
    .selectFrom('match.registrations')
    .selectAll()
    .where('organisationId', '=', organisationId)
    .$if(status !== undefined, (q) => q.where('status', '=', status as 'active' | 'ended'))
    .$if(after !== undefined, (q) => q.where(olderThan('createdAt', 'id', after as CreatedAtCursor)))
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
}

/** Whether the archive holds ended registrations on this child from other organisations (the law's "history exists"). */
export async function historyAvailable(
  db: Kysely<MatchDatabase>,
  subjectKey: string,
  organisationId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('match.registrations')
    .select('id')
    .where('subjectKey', '=', subjectKey)
    .where('status', '=', 'ended')
    .where('organisationId', '!=', organisationId)
    .limit(1)
    .executeTakeFirst()
  return Boolean(row)
}

/** The archive on a child: other organisations' ended registrations, oldest first. */
export async function archivedRegistrationsOfOthers(
  trx: Transaction<MatchDatabase>,
  subjectKey: string,
  organisationId: string,
) {
  return trx
    .selectFrom('match.registrations as r')
    .innerJoin('match.organisations as o', 'o.id', 'r.organisationId')
    .select([
      'o.id',
      'o.name',
      'o.sector',
      'r.contactName',
      'r.contactEmail',
      'r.contactPhone',
      'r.kind',
      'r.createdAt',
      'r.endedAt',
    ])
    .where('r.subjectKey', '=', subjectKey)
    .where('r.status', '=', 'ended')
    .where('r.organisationId', '!=', organisationId)
    .orderBy('r.createdAt')
    .execute()
}

/** Every registration on a child, the archive too, with its organisation: what a privacy officer is shown. */
export async function registrationsOfSubject(trx: Transaction<MatchDatabase>, subjectKey: string) {
  return trx
    .selectFrom('match.registrations as r')
    .innerJoin('match.organisations as o', 'o.id', 'r.organisationId')
    .selectAll('r')
    .select(['o.name as organisationName', 'o.sector as organisationSector'])
    .where('r.subjectKey', '=', subjectKey)
    .orderBy('r.createdAt')
    .execute()
}

/** Ends a registration that is still active; undefined when it had already ended. */
export async function endActiveRegistration(
  trx: Transaction<MatchDatabase>,
  id: string,
  reason: EndReason,
  now: Date,
): Promise<Registration | undefined> {
  return trx
    .updateTable('match.registrations')
    .set({ status: 'ended', endedAt: now, endReason: reason })
    .where('id', '=', id)
    .where('status', '=', 'active')
    .returningAll()
    .executeTakeFirst()
}

/** Changes a registration that is still active; undefined when it has ended. */
export async function updateActiveRegistration(
  trx: Transaction<MatchDatabase>,
  id: string,
  values: Updateable<RegistrationsTable>,
): Promise<Registration | undefined> {
  return trx
    .updateTable('match.registrations')
    .set(values)
    .where('id', '=', id)
    .where('status', '=', 'active')
    .returningAll()
    .executeTakeFirst()
}

/** The active registrations whose duration has run out on `now`. */
export async function expiredRegistrationIds(db: Kysely<MatchDatabase>, now: Date): Promise<string[]> {
  const rows = await db
    .selectFrom('match.registrations')
    .select('id')
    .where('status', '=', 'active')
    .where('endsAt', '<=', now)
    .execute()
  return rows.map((r) => r.id)
}

/** Locks an expired registration unless another transaction holds it (then undefined: that one ends it). */
export async function claimExpiredRegistration(
  trx: Transaction<MatchDatabase>,
  id: string,
  now: Date,
): Promise<Registration | undefined> {
  return trx
    .selectFrom('match.registrations')
    .selectAll()
    .where('id', '=', id)
    .where('status', '=', 'active')
    .where('endsAt', '<=', now)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst()
}

/** Ended registrations whose archive period of `years` has passed on `now`. */
export async function archivedRegistrationsDue(
  db: Kysely<MatchDatabase>,
  now: Date,
  years: number,
): Promise<{ id: string; subjectKey: string }[]> {
  const cutoff = sql<Date>`${now}::timestamptz - make_interval(years => ${years})`
  return db
    .selectFrom('match.registrations')
    .select(['id', 'subjectKey'])
    .where('status', '=', 'ended')
    .where('endedAt', '<=', cutoff)
    .execute()
}

/** Deletes an ended registration and its match parties; whether it was still there. */
export async function deleteEndedRegistration(trx: Transaction<MatchDatabase>, id: string): Promise<boolean> {
  await trx.deleteFrom('match.matchParties').where('registrationId', '=', id).execute()
  const gone = await trx
    .deleteFrom('match.registrations')
    .where('id', '=', id)
    .where('status', '=', 'ended')
    .returning('id')
    .execute()
  return gone.length > 0
}

export async function hasRegistrations(
  trx: Transaction<MatchDatabase>,
  subjectKey: string,
): Promise<boolean> {
  const row = await trx
    .selectFrom('match.registrations')
    .select('id')
    .where('subjectKey', '=', subjectKey)
    .limit(1)
    .executeTakeFirst()
  return Boolean(row)
}

/** Marks, and returns, the active registrations ending before `horizon` whose registrant was not yet reminded. */
export async function claimRegistrationsEndingSoon(
  trx: Transaction<MatchDatabase>,
  now: Date,
  horizon: Date,
): Promise<Registration[]> {
  return trx
    .updateTable('match.registrations')
    .set({ remindedAt: now })
    .where('status', '=', 'active')
    .where('remindedAt', 'is', null)
    .where('endsAt', '<=', horizon)
    .where('endsAt', '>', now)
    .returningAll()
    .execute()
}
