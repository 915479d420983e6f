import type { Kysely } from 'kysely'
import { householdLinks, type OwnHousehold } from '../db/households.js'
import { openMatchOf } from '../db/matches.js'
import type { MatchDatabase } from '../db/schema.js'
import { householdLinksShow } from '../domain/household.js'
import type { HouseholdView, PartyView } from './schemas.js'

/**
 * The viewer's household links: for each of its active registrations on the child that carries a
 * household address (`own`, read by `ownHouseholds`) and whose links show (domain/household.ts), the
 * other organisations' active registrations on other children of that household.
 */
export async function householdsFor(
  db: Kysely<MatchDatabase>,
  own: OwnHousehold[],
  subjectKey: string,
  viewer: string,
  now: Date,
): Promise<HouseholdView[]> {
  if (own.length === 0) return []
  const inOpenMatch = (await openMatchOf(db, subjectKey)) !== undefined
  const bySubject = new Map<string, PartyView[]>()
  for (const { householdKey, householdVisibleAt } of own) {
    if (!householdLinksShow(householdVisibleAt, inOpenMatch, now)) continue
    for (const link of await householdLinks(db, householdKey, subjectKey, viewer)) {
      const parties = bySubject.get(link.subjectKey) ?? []
      parties.push({
        organisation: {
          id: link.organisationId,
          name: link.organisationName,
          sector: link.organisationSector,
        },
        contact: { name: link.contactName, email: link.contactEmail, phone: link.contactPhone },
        kind: link.kind,
        since: link.createdAt,
        leftAt: null,
        registrationId: null,
      })
      bySubject.set(link.subjectKey, parties)
    }
  }
  const households: HouseholdView[] = []
  for (const [sibling, parties] of bySubject) {
    const open = await openMatchOf(db, sibling)
    households.push({ matchId: open?.id ?? null, parties })
  }
  return households
}
