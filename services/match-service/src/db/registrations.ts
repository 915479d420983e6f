import type { Kysely, Transaction } from 'kysely'
import type { MatchDatabase, NewRegistration, Registration } from './schema.js'

/**
 * Creates the subject row if needed and locks it for the rest of the transaction. Every change about one
 * child takes this lock first, so concurrent registrations on the same child, from any replica, are
 * serialised and end in exactly one match.
 */
export async function lockSubject(
  trx: Transaction<MatchDatabase>,
  subjectKey: string,
  birthDate: string,
  now: Date,
): Promise<void> {
  await trx
    .insertInto('match.subjects')
    .values({ subjectKey, birthDate, createdAt: now })
    .onConflict((oc) => oc.column('subjectKey').doUpdateSet({ subjectKey }))
    .execute()
}

/** Locks an existing subject (for withdrawals and other changes that start from a registration). */
export async function lockExistingSubject(
  trx: Transaction<MatchDatabase>,
  subjectKey: string,
): Promise<void> {
  await trx
    .selectFrom('match.subjects')
    .select('subjectKey')
    .where('subjectKey', '=', subjectKey)
    .forUpdate()
    .execute()
}

export async function insertRegistration(
  trx: Transaction<MatchDatabase>,
  row: NewRegistration,
): Promise<Registration> {
  return trx.insertInto('match.registrations').values(row).returningAll().executeTakeFirstOrThrow()
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

export async function getRegistration(
  db: Kysely<MatchDatabase>,
  id: string,
): Promise<Registration | undefined> {
  return db.selectFrom('match.registrations').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function listRegistrations(
  db: Kysely<MatchDatabase>,
  organisationId: string,
  filter: { status?: 'active' | 'ended'; after?: { createdAt: string; id: string } },
  limit: number,
): Promise<Registration[]> {
  return db
    .selectFrom('match.registrations')
    .selectAll()
    .where('organisationId', '=', organisationId)
    .$if(filter.status !== undefined, (q) => q.where('status', '=', filter.status as 'active' | 'ended'))
    .$if(filter.after !== undefined, (q) => {
      const after = filter.after as { createdAt: string; id: string }
      return q.where((eb) =>
        eb.or([
          eb('createdAt', '<', new Date(after.createdAt)),
          eb.and([eb('createdAt', '=', new Date(after.createdAt)), eb('id', '<', after.id)]),
        ]),
      )
    })
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
