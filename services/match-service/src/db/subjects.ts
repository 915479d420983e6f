import { type Kysely, sql, type Transaction } from 'kysely'
import { MAX_AGE } from '../domain/age.js'
import { destroyMatchDetails } from './matches.js'
import type { MatchDatabase } from './schema.js'

/**
 * Creates the subject row if needed and locks it for the rest of the transaction. Every change about one
 * child takes this lock first (a registration through `registerIfFresh`, which takes it the same way), so
 * concurrent registrations on the same child, from any replica, are serialised and end in exactly one match.
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

/**
 * Locks an existing subject (for withdrawals and other changes that start from a registration); whether it
 * exists. With `skipLocked` a subject another transaction holds counts as absent: a job leaves it to that one.
 */
export async function lockExistingSubject(
  trx: Transaction<MatchDatabase>,
  subjectKey: string,
  options: { skipLocked?: boolean } = {},
): Promise<boolean> {
  const row = await trx
    .selectFrom('match.subjects')
    .select('subjectKey')
    .where('subjectKey', '=', subjectKey)
    .forUpdate()
    .$if(options.skipLocked === true, (q) => q.skipLocked())
    .executeTakeFirst()
  return Boolean(row)
}

export async function getSubject(
  db: Kysely<MatchDatabase>,
  subjectKey: string,
): Promise<{ birthDate: string } | undefined> {
  return db
    .selectFrom('match.subjects')
    .select('birthDate')
    .where('subjectKey', '=', subjectKey)
    .executeTakeFirst()
}

/** The children who have reached the age limit on `today` (YYYY-MM-DD, Amsterdam). */
export async function subjectsAtAgeLimit(db: Kysely<MatchDatabase>, today: string): Promise<string[]> {
  const rows = await db
    .selectFrom('match.subjects')
    .select('subjectKey')
    .where(sql<boolean>`birth_date + make_interval(years => ${MAX_AGE}) <= ${today}::date`)
    .execute()
  return rows.map((r) => r.subjectKey)
}

/** How many registrations and matches the index holds on a child. */
export async function heldCounts(
  trx: Transaction<MatchDatabase>,
  subjectKey: string,
): Promise<{ registrations: number; matches: number }> {
  const [registrations, matches] = await Promise.all([
    trx
      .selectFrom('match.registrations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('subjectKey', '=', subjectKey)
      .executeTakeFirstOrThrow(),
    trx
      .selectFrom('match.matches')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('subjectKey', '=', subjectKey)
      .executeTakeFirstOrThrow(),
  ])
  return { registrations: Number(registrations.n), matches: Number(matches.n) }
}

/**
 * Destroys everything the index holds on a child except the audit trail (which holds only the subject
 * key): registrations (the archive too), matches and their parties, coordination, household links.
 */
export async function destroySubject(trx: Transaction<MatchDatabase>, subjectKey: string): Promise<void> {
  await destroyMatchDetails(trx, 'subjectKey', subjectKey)
  await trx.deleteFrom('match.matchParties').where('subjectKey', '=', subjectKey).execute()
  await trx.deleteFrom('match.matches').where('subjectKey', '=', subjectKey).execute()
  await trx.deleteFrom('match.registrations').where('subjectKey', '=', subjectKey).execute()
  await trx.deleteFrom('match.subjects').where('subjectKey', '=', subjectKey).execute()
}
