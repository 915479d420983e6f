import type { Kysely } from 'kysely'
import { contactsOf } from '../db/coordination.js'
import { partiesOf } from '../db/match-parties.js'
import type { Match, MatchDatabase } from '../db/schema.js'
import { coordinationView } from './coordination-view.js'
import { householdsFor } from './households.js'
import { type MatchView, toParty } from './schemas.js'

export async function toMatchView(
  db: Kysely<MatchDatabase>,
  match: Match,
  viewer: string,
  now: Date,
): Promise<MatchView> {
  // Independent reads: on a pool they run side by side (in a transaction they queue on its connection).
  const [parties, contacts, coordination, households] = await Promise.all([
    partiesOf(db, match.id),
    contactsOf(db, match.id),
    coordinationView(db, match.id),
    householdsFor(db, match.subjectKey, viewer, now),
  ])
  return {
    id: match.id,
    status: match.status,
    createdAt: match.createdAt,
    closedAt: match.closedAt,
    region: match.regionCode,
    parties: parties.map((p) => toParty(p, viewer)),
    coordination,
    contacted: contacts.map((c) => ({
      organisation: { id: c.id, name: c.name, sector: c.sector },
      at: c.at,
    })),
    warmHandover:
      match.warmHandoverAt && match.warmHandoverBy
        ? { at: match.warmHandoverAt, organisation: match.warmHandoverBy }
        : null,
    households,
  }
}
