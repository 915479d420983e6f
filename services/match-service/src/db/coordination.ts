import type { Kysely, Transaction, Updateable } from 'kysely'
import type { Coordination, CoordinationsTable, MatchDatabase } from './schema.js'

export async function coordinationOf(
  db: Kysely<MatchDatabase>,
  matchId: string,
): Promise<Coordination | undefined> {
  return db.selectFrom('match.coordinations').selectAll().where('matchId', '=', matchId).executeTakeFirst()
}

export async function lockCoordination(
  trx: Transaction<MatchDatabase>,
  matchId: string,
): Promise<Coordination | undefined> {
  return trx
    .selectFrom('match.coordinations')
    .selectAll()
    .where('matchId', '=', matchId)
    .forUpdate()
    .executeTakeFirst()
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
    event: string
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

export async function historyOf(db: Kysely<MatchDatabase>, matchId: string) {
  return db
    .selectFrom('match.coordinationHistory')
    .select(['at', 'event', 'organisationId', 'ruleId', 'level', 'reason'])
    .where('matchId', '=', matchId)
    .orderBy('id')
    .execute()
}

export async function contactsOf(db: Kysely<MatchDatabase>, matchId: string) {
  return db
    .selectFrom('match.matchContacts as c')
    .innerJoin('match.organisations as o', 'o.id', 'c.organisationId')
    .select(['o.id', 'o.name', 'o.sector', 'c.at'])
    .where('c.matchId', '=', matchId)
    .orderBy('c.at')
    .execute()
}
