import type { Sector } from '@verwijsindex/shared'
import { type Insertable, type Kysely, sql, type Transaction, type Updateable } from 'kysely'
import { jsonArrayFrom } from 'kysely/helpers/postgres'
import type { CoordinationHistoryEvent } from '../domain/coordination-history.js'
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
 * A match's coordination as its view shows it, in one read: the row, the names of the designated
 * organisation and of a pending transfer's, and the history (JSON: its times arrive as text).
 */
export async function coordinationWithHistory(db: Kysely<MatchDatabase>, matchId: string) {
  const row = await db
    .selectFrom('match.coordinations as c')
    .leftJoin('match.organisations as o', 'o.id', 'c.organisationId')
    .leftJoin('match.organisations as t', 't.id', 'c.pendingTransferTo')
    .selectAll('c')
    .select([
      'o.name as organisationName',
      'o.sector as organisationSector',
      't.name as transferName',
      't.sector as transferSector',
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
    .where('c.matchId', '=', matchId)
    .executeTakeFirst()
  if (!row) return undefined
  const ref = (id: string | null, name: string | null, sector: Sector | null) =>
    id && name && sector ? { id, name, sector } : null
  return {
    ...row,
    organisation: ref(row.organisationId, row.organisationName, row.organisationSector),
    pendingTransferOrganisation: ref(row.pendingTransferTo, row.transferName, row.transferSector),
    history: row.history.map((h) => ({ ...h, at: new Date(h.at) })),
  }
}

export async function contactsOf(db: Kysely<MatchDatabase>, matchId: string) {
  return db
    .selectFrom('match.matchContacts as c')
    .innerJoin('match.organisations as o', 'o.id', 'c.organisationId')
    .select(['o.id', 'o.name', 'o.sector', 'c.at', 'c.firstAt', 'c.organisations'])
    .where('c.matchId', '=', matchId)
    .orderBy('c.at')
    .execute()
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
