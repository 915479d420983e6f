import { compiledOnce } from '@verwijsindex/shared'
import type { Kysely } from 'kysely'
import { jsonArrayFrom } from 'kysely/helpers/postgres'
import { contactsQuery, coordinationFromJson, coordinationJson } from './coordination.js'
import { ownHouseholdFromJson, ownHouseholdsQuery } from './households.js'
import { timeFromJson } from './json-times.js'
import { partiesQuery, partyFromJson } from './match-parties.js'
import type { Match, MatchDatabase } from './schema.js'

// Every match view runs it: compiled once.
const details = compiledOnce(
  (db: Kysely<MatchDatabase>, p: { matchId: string; subjectKey: string; viewer: string }) =>
    db.selectNoFrom([
      jsonArrayFrom(partiesQuery(db, p.matchId)).as('parties'),
      jsonArrayFrom(contactsQuery(db, p.matchId)).as('contacts'),
      coordinationJson(db, p.matchId).as('coordination'),
      jsonArrayFrom(ownHouseholdsQuery(db, p.subjectKey, p.viewer)).as('ownHouseholds'),
    ]),
)

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
  const [row] = await details(db, { matchId: match.id, subjectKey: match.subjectKey, viewer })
  if (!row) throw new Error('a statement without FROM answered no row')
  return {
    parties: row.parties.map(partyFromJson),
    contacts: row.contacts.map((c) => ({ ...c, at: timeFromJson(c.at) })),
    coordination: row.coordination && coordinationFromJson(row.coordination),
    ownHouseholds: row.ownHouseholds.map(ownHouseholdFromJson),
  }
}
