import type { Kysely } from 'kysely'
import { matchDetails } from '../db/match-details.js'
import type { Match, MatchDatabase } from '../db/schema.js'
import { toCoordinationView } from './coordination-view.js'
import { householdsFor } from './households.js'
import { type MatchView, toParty } from './schemas.js'

/** A match as the viewer sees it: one statement, and more only when the viewer has household links to show. */
export async function toMatchView(
  db: Kysely<MatchDatabase>,
  match: Match,
  viewer: string,
  now: Date,
): Promise<MatchView> {
  const { parties, contacts, coordination, ownHouseholds } = await matchDetails(db, match, viewer)
  return {
    id: match.id,
    status: match.status,
    createdAt: match.createdAt,
    closedAt: match.closedAt,
    region: match.regionCode,
    parties: parties.map((p) => toParty(p, viewer)),
    coordination: coordination && toCoordinationView(coordination),
    contacted: contacts.map((c) => ({
      organisation: { id: c.id, name: c.name, sector: c.sector },
      at: c.at,
    })),
    warmHandover:
      match.warmHandoverAt && match.warmHandoverBy
        ? { at: match.warmHandoverAt, organisation: match.warmHandoverBy }
        : null,
    households: await householdsFor(db, ownHouseholds, match.subjectKey, viewer, now),
  }
}
