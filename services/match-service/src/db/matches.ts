import { type Kysely, sql, type Transaction } from 'kysely'
import { partyRows } from './match-parties.js'
import type { Match, MatchDatabase, NewMatch, Registration } from './schema.js'

export async function openMatchOf(
  trx: Kysely<MatchDatabase>,
  subjectKey: string,
): Promise<Match | undefined> {
  return trx
    .selectFrom('match.matches')
    .selectAll()
    .where('subjectKey', '=', subjectKey)
    .where('status', '=', 'open')
    .executeTakeFirst()
}

export async function getMatch(db: Kysely<MatchDatabase>, id: string): Promise<Match | undefined> {
  return db.selectFrom('match.matches').selectAll().where('id', '=', id).executeTakeFirst()
}

/** A match with its child's birth date, which its coordination rules weigh: one statement for both. */
export async function getMatchWithBirthDate(
  db: Kysely<MatchDatabase>,
  id: string,
): Promise<(Match & { birthDate: string | null }) | undefined> {
  return db
    .selectFrom('match.matches as m')
    .leftJoin('match.subjects as s', 's.subjectKey', 'm.subjectKey')
    .selectAll('m')
    .select('s.birthDate')
    .where('m.id', '=', id)
    .executeTakeFirst()
}

/**
 * A new match with its first parties, in one statement (a data-modifying CTE: one round trip, not two).
 * The party rows reference the match; PostgreSQL checks that at the end of the statement, when both are in.
 */
export async function insertMatch(
  trx: Transaction<MatchDatabase>,
  row: NewMatch,
  parties: Registration[],
  now: Date,
): Promise<void> {
  await trx
    .with('match', (db) => db.insertInto('match.matches').values(row).returning('id'))
    .insertInto('match.matchParties')
    .values(partyRows(row.id, parties, now))
    .execute()
}

export async function setMatchRegion(
  trx: Transaction<MatchDatabase>,
  matchId: string,
  regionCode: string | null,
): Promise<void> {
  await trx.updateTable('match.matches').set({ regionCode }).where('id', '=', matchId).execute()
}

export async function closeMatch(trx: Transaction<MatchDatabase>, matchId: string, now: Date): Promise<void> {
  await trx
    .updateTable('match.matches')
    .set({ status: 'closed', closedAt: now })
    .where('id', '=', matchId)
    .execute()
}

/** Every match on a child, open and closed, oldest first. */
export async function matchesOfSubject(trx: Kysely<MatchDatabase>, subjectKey: string): Promise<Match[]> {
  return trx
    .selectFrom('match.matches')
    .selectAll()
    .where('subjectKey', '=', subjectKey)
    .orderBy('createdAt')
    .execute()
}

/** The open matches of children whose birthday (MM-DD) it is. */
export async function openMatchesWithBirthday(
  db: Kysely<MatchDatabase>,
  monthDay: string,
): Promise<{ id: string; subjectKey: string }[]> {
  return db
    .selectFrom('match.matches as m')
    .innerJoin('match.subjects as s', 's.subjectKey', 'm.subjectKey')
    .select(['m.id', 'm.subjectKey'])
    .where('m.status', '=', 'open')
    .where(sql<string>`to_char(s.birth_date, 'MM-DD')`, '=', monthDay)
    .execute()
}

/** A child's closed matches nobody is left in (their registrations purged). */
export async function emptyClosedMatchIds(
  trx: Transaction<MatchDatabase>,
  subjectKey: string,
): Promise<string[]> {
  const rows = await trx
    .selectFrom('match.matches as m')
    .select('m.id')
    .where('m.subjectKey', '=', subjectKey)
    .where('m.status', '=', 'closed')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('match.matchParties as p').select('p.matchId').whereRef('p.matchId', '=', 'm.id'),
        ),
      ),
    )
    .execute()
  return rows.map((r) => r.id)
}

/** The tables that hang from a match (besides its parties); each carries both the match id and the subject key. */
const MATCH_DETAIL_TABLES = [
  'match.coordinationHistory',
  'match.matchContacts',
  'match.escalationAccess',
  'match.coordinations',
] as const

/** Deletes the coordination, contacts and escalation access of one match, or of every match on a child. */
export async function destroyMatchDetails(
  trx: Transaction<MatchDatabase>,
  column: 'matchId' | 'subjectKey',
  value: string,
): Promise<void> {
  for (const table of MATCH_DETAIL_TABLES) await trx.deleteFrom(table).where(column, '=', value).execute()
}

/** Deletes a match nobody is left in, with its details. */
export async function destroyMatch(trx: Transaction<MatchDatabase>, matchId: string): Promise<void> {
  await destroyMatchDetails(trx, 'matchId', matchId)
  await trx.deleteFrom('match.matches').where('id', '=', matchId).execute()
}
