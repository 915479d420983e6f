import type { Kysely } from 'kysely'
import { INVOLVEMENT_COLUMNS, type InvolvementRow } from './match-parties.js'
import type { MatchDatabase } from './schema.js'

export interface HouseholdPartyRow extends InvolvementRow {
  subjectKey: string
  createdAt: Date
}

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
    ])
    .where('r.householdKey', '=', householdKey)
    .where('r.status', '=', 'active')
    .where('r.subjectKey', '!=', subjectKey)
    .where('r.organisationId', '!=', organisationId)
    .orderBy('r.createdAt')
    .execute()
}

/** The household keys of an organisation's active registrations on a child. */
export async function ownHouseholdKeys(
  db: Kysely<MatchDatabase>,
  subjectKey: string,
  organisationId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('match.registrations')
    .select('householdKey')
    .where('subjectKey', '=', subjectKey)
    .where('organisationId', '=', organisationId)
    .where('status', '=', 'active')
    .where('householdKey', 'is not', null)
    .execute()
  return rows.map((r) => r.householdKey as string)
}
