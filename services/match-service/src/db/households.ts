import { type Kysely, type QueryCreator, type ShallowDehydrateObject, sql, type Transaction } from 'kysely'
import { timeOrNullFromJson } from './json-times.js'
import { INVOLVEMENT_COLUMNS, type InvolvementRow } from './match-parties.js'
import type { MatchDatabase, Registration } from './schema.js'

export interface HouseholdPartyRow extends InvolvementRow {
  subjectKey: string
  createdAt: Date
  householdVisibleAt: Date | null
  /** Whether that child has an open match (its registration's links then show at once). */
  inOpenMatch: boolean
}

/** An address on the admin's register of excluded addresses never links (institutions, shelters). */
const notExcluded = sql<boolean>`not exists (
  select 1 from match.excluded_addresses e where e.household_key = r.household_key)`

/**
 * Household links ("één gezin, één plan"): active registrations by other organisations on other
 * children of the same household. Within one organisation there is no link: it knows its own cases.
 */
export async function householdLinks(
  db: Kysely<MatchDatabase>,
  householdKey: string,
  subjectKey: string,
  organisationId: string,
): Promise<HouseholdPartyRow[]> {
  return db
    .selectFrom('match.registrations as r')
    .innerJoin('match.organisations as o', 'o.id', 'r.organisationId')
    .select([
      'r.subjectKey',
      'r.id as registrationId',
      'r.organisationId',
      ...INVOLVEMENT_COLUMNS,
      'r.createdAt',
      'r.householdVisibleAt',
      sql<boolean>`exists (select 1 from match.matches m
        where m.subject_key = r.subject_key and m.status = 'open')`.as('inOpenMatch'),
    ])
    .where('r.householdKey', '=', householdKey)
    .where('r.status', '=', 'active')
    .where('r.subjectKey', '!=', subjectKey)
    .where('r.organisationId', '!=', organisationId)
    .where(notExcluded)
    .orderBy('r.createdAt')
    .execute()
}

export interface OwnHousehold {
  householdKey: string
  householdVisibleAt: Date | null
}

/** An organisation's active registrations on a child that carry a household address not excluded. */
export function ownHouseholdsQuery(
  db: QueryCreator<MatchDatabase>,
  subjectKey: string,
  organisationId: string,
) {
  return db
    .selectFrom('match.registrations as r')
    .select(['r.householdKey', 'r.householdVisibleAt'])
    .where('r.subjectKey', '=', subjectKey)
    .where('r.organisationId', '=', organisationId)
    .where('r.status', '=', 'active')
    .where('r.householdKey', 'is not', null)
    .where(notExcluded)
    .$narrowType<{ householdKey: string }>()
}

export async function ownHouseholds(
  db: Kysely<MatchDatabase>,
  subjectKey: string,
  organisationId: string,
): Promise<OwnHousehold[]> {
  return ownHouseholdsQuery(db, subjectKey, organisationId).execute()
}

/** An own household as `ownHouseholdsQuery` reads it, from its JSON. */
export function ownHouseholdFromJson(h: ShallowDehydrateObject<OwnHousehold>): OwnHousehold {
  return { householdKey: h.householdKey, householdVisibleAt: timeOrNullFromJson(h.householdVisibleAt) }
}

/**
 * Claims the active household registrations whose links showed by `now` and whose registrant has not
 * been told of them yet (each once: the row is marked in the claiming transaction).
 */
export async function claimHouseholdsDue(
  trx: Transaction<MatchDatabase>,
  now: Date,
): Promise<Registration[]> {
  return trx
    .updateTable('match.registrations')
    .set({ householdToldAt: now })
    .where('householdKey', 'is not', null)
    .where('status', '=', 'active')
    .where('householdToldAt', 'is', null)
    .where('householdVisibleAt', '<=', now)
    .returningAll()
    .execute()
}

/** Records that a household registration's registrant has been told of its links. */
export async function markHouseholdTold(
  trx: Transaction<MatchDatabase>,
  id: string,
  now: Date,
): Promise<void> {
  await trx.updateTable('match.registrations').set({ householdToldAt: now }).where('id', '=', id).execute()
}

/** Records that a registration's withdrawal had the pattern of a probe. */
export async function markProbeSuspected(
  trx: Transaction<MatchDatabase>,
  id: string,
  now: Date,
): Promise<void> {
  await trx.updateTable('match.registrations').set({ probeSuspectedAt: now }).where('id', '=', id).execute()
}
