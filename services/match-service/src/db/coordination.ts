import type { Sector } from '@verwijsindex/shared'
import {
  type Insertable,
  type Kysely,
  type QueryCreator,
  sql,
  type Transaction,
  type Updateable,
} from 'kysely'
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres'
import type { CoordinationHistoryEvent } from '../domain/coordination-history.js'
import { timeFromJson, timeOrNullFromJson } from './json-times.js'
import type { Coordination, CoordinationsTable, MatchDatabase } from './schema.js'

/** A match's coordination row: the base of reading, locking and claiming it. */
const coordinationRow = (db: Kysely<MatchDatabase>, matchId: string) =>
  db.selectFrom('match.coordinations').selectAll().where('matchId', '=', matchId)

export async function lockCoordination(
  trx: Transaction<MatchDatabase>,
  matchId: string,
): Promise<Coordination | undefined> {
  return coordinationRow(trx, matchId).forUpdate().executeTakeFirst()
}

/** Changes a match's coordination row; every change stamps updatedAt. */
export async function updateCoordination(
  trx: Transaction<MatchDatabase>,
  matchId: string,
  values: Updateable<CoordinationsTable>,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('match.coordinations')
    .set({ ...values, updatedAt: now })
    .where('matchId', '=', matchId)
    .execute()
}

export async function addHistory(
  trx: Transaction<MatchDatabase>,
  entry: {
    matchId: string
    subjectKey: string
    at: Date
    event: CoordinationHistoryEvent
    organisationId?: string | null
    ruleId?: string | null
    level?: number | null
    reason?: string | null
  },
): Promise<void> {
  await trx
    .insertInto('match.coordinationHistory')
    .values({
      matchId: entry.matchId,
      subjectKey: entry.subjectKey,
      at: entry.at,
      event: entry.event,
      organisationId: entry.organisationId ?? null,
      ruleId: entry.ruleId ?? null,
      level: entry.level ?? null,
      reason: entry.reason ?? null,
    })
    .execute()
}

/**
 * A match's coordination as its view shows it, as one JSON value (null without one): the row, the names
 * of the designated organisation and of a pending transfer's, and the history.
 */
export function coordinationJson(db: QueryCreator<MatchDatabase>, matchId: string) {
  return jsonObjectFrom(
    db
      .selectFrom('match.coordinations as c')
      .leftJoin('match.organisations as o', 'o.id', 'c.organisationId')
      .leftJoin('match.organisations as t', 't.id', 'c.pendingTransferTo')
      .select([
        'c.organisationId',
        'o.name as organisationName',
        'o.sector as organisationSector',
        'c.status',
        'c.proposedAt',
        'c.dueAt',
        'c.acceptedAt',
        'c.ruleId',
        'c.regionVersion',
        'c.escalationLevel',
        'c.pendingTransferTo',
        't.name as transferName',
        't.sector as transferSector',
        'c.pendingTransferAt',
      ])
      .select((eb) =>
        jsonArrayFrom(
          eb
            .selectFrom('match.coordinationHistory as h')
            .select(['h.at', 'h.event', 'h.organisationId', 'h.ruleId', 'h.level', 'h.reason'])
            .whereRef('h.matchId', '=', 'c.matchId')
            .orderBy('h.id'),
        ).as('history'),
      )
      .where('c.matchId', '=', matchId),
  )
}

type CoordinationJson = NonNullable<ReturnType<typeof coordinationJson>['expressionType']>

/** The coordination from `coordinationJson`: its times Dates again, its organisations as references. */
export function coordinationFromJson(c: CoordinationJson) {
  const ref = (id: string | null, name: string | null, sector: Sector | null) =>
    id && name && sector ? { id, name, sector } : null
  return {
    organisation: ref(c.organisationId, c.organisationName, c.organisationSector),
    status: c.status,
    proposedAt: timeFromJson(c.proposedAt),
    dueAt: timeOrNullFromJson(c.dueAt),
    acceptedAt: timeOrNullFromJson(c.acceptedAt),
    ruleId: c.ruleId,
    regionVersion: c.regionVersion,
    escalationLevel: c.escalationLevel,
    pendingTransferOrganisation: ref(c.pendingTransferTo, c.transferName, c.transferSector),
    pendingTransferAt: timeOrNullFromJson(c.pendingTransferAt),
    history: c.history.map((h) => ({ ...h, at: timeFromJson(h.at) })),
  }
}

export type CoordinationWithHistory = ReturnType<typeof coordinationFromJson>

/** A match's coordination as its view shows it, in one read. */
export async function coordinationWithHistory(
  db: Kysely<MatchDatabase>,
  matchId: string,
): Promise<CoordinationWithHistory | undefined> {
  const { coordination } = await db
    .selectNoFrom(coordinationJson(db, matchId).as('coordination'))
    .executeTakeFirstOrThrow()
  return coordination ? coordinationFromJson(coordination) : undefined
}

/** The contacts recorded on a match: who said it coordinated with the others, and when last. */
export function contactsQuery(db: QueryCreator<MatchDatabase>, matchId: string) {
  return db
    .selectFrom('match.matchContacts as c')
    .innerJoin('match.organisations as o', 'o.id', 'c.organisationId')
    .select(['o.id', 'o.name', 'o.sector', 'c.at'])
    .where('c.matchId', '=', matchId)
    .orderBy('c.at')
}

export async function insertCoordination(
  trx: Transaction<MatchDatabase>,
  row: Insertable<CoordinationsTable>,
): Promise<void> {
  await trx.insertInto('match.coordinations').values(row).execute()
}

/** The matches whose coordination waits for acceptance, or for anyone at all: the ladder may rise. */
export async function awaitingCoordinationIds(db: Kysely<MatchDatabase>): Promise<string[]> {
  const rows = await db
    .selectFrom('match.coordinations')
    .select('matchId')
    .where('status', 'in', ['proposed', 'unassigned'])
    .execute()
  return rows.map((r) => r.matchId)
}

/** Locks a waiting coordination unless another transaction holds it (then undefined: that one handles it). */
export async function claimAwaitingCoordination(
  trx: Transaction<MatchDatabase>,
  matchId: string,
): Promise<Coordination | undefined> {
  return coordinationRow(trx, matchId)
    .where('status', 'in', ['proposed', 'unassigned'])
    .forUpdate()
    .skipLocked()
    .executeTakeFirst()
}

/** Gives the organisations an escalation step names read access to the match (once each). */
export async function grantEscalationAccess(
  trx: Transaction<MatchDatabase>,
  coordination: Pick<Coordination, 'matchId' | 'subjectKey'>,
  organisationIds: string[],
  level: number,
  now: Date,
): Promise<void> {
  await trx
    .insertInto('match.escalationAccess')
    .values(
      organisationIds.map((organisationId) => ({
        matchId: coordination.matchId,
        organisationId,
        subjectKey: coordination.subjectKey,
        level,
        reachedAt: now,
      })),
    )
    .onConflict((oc) => oc.columns(['matchId', 'organisationId']).doNothing())
    .execute()
}

/**
 * A party records that it has coordinated with the others; again moves the latest moment (`at`) and adds
 * whom it contacted, while the first moment (`firstAt`, what follow-up counts) stays.
 */
export async function recordContact(
  trx: Transaction<MatchDatabase>,
  match: { id: string; subjectKey: string },
  organisationId: string,
  contacted: string[],
  now: Date,
): Promise<void> {
  await trx
    .insertInto('match.matchContacts')
    .values({
      matchId: match.id,
      organisationId,
      subjectKey: match.subjectKey,
      at: now,
      firstAt: now,
      organisations: contacted,
    })
    .onConflict((oc) =>
      oc.columns(['matchId', 'organisationId']).doUpdateSet({
        at: now,
        organisations: sql<
          string[]
        >`array(select distinct unnest(match.match_contacts.organisations || excluded.organisations) order by 1)`,
      }),
    )
    .execute()
}

/** The organisations that are or were a party of the match. */
export async function partyOrganisationIds(db: Kysely<MatchDatabase>, matchId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('match.matchParties')
    .select('organisationId')
    .distinct()
    .where('matchId', '=', matchId)
    .execute()
  return rows.map((r) => r.organisationId)
}
