import type { Kysely } from 'kysely'
import { jsonArrayFrom } from 'kysely/helpers/postgres'
import { contactsQuery, coordinationFromJson, coordinationJson } from './coordination.js'
import { ownHouseholdFromJson, ownHouseholdsQuery } from './households.js'
import { timeFromJson } from './json-times.js'
import { partiesQuery, partyFromJson } from './match-parties.js'
import type { Match, MatchDatabase } from './schema.js'

/**
 * Everything a match's view shows beside the match itself, in one statement (a round trip costs more than
 * the rows): its parties, the contacts recorded, the coordination with its history, and the viewer's own
 * household addresses on the child. Each part travels as JSON and is read back as its own query's rows.
 */
export async function matchDetails(
  db: Kysely<MatchDatabase>,
  match: Pick<Match, 'id' | 'subjectKey'>,
  viewer: string,
) {
  const row = await db
    .selectNoFrom([
      jsonArrayFrom(partiesQuery(db, match.id)).as('parties'),
      jsonArrayFrom(contactsQuery(db, match.id)).as('contacts'),
      coordinationJson(db, match.id).as('coordination'),
      jsonArrayFrom(ownHouseholdsQuery(db, match.subjectKey, viewer)).as('ownHouseholds'),
    ])
    .executeTakeFirstOrThrow()
  return {
    parties: row.parties.map(partyFromJson),
    contacts: row.contacts.map((c) => ({ ...c, at: timeFromJson(c.at) })),
    coordination: row.coordination && coordinationFromJson(row.coordination),
    ownHouseholds: row.ownHouseholds.map(ownHouseholdFromJson),
  }
}
