import { randomUUID } from 'node:crypto'
import { pipelined } from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import { addParties, leaveAllParties, leaveParty, remainingOrganisations } from '../db/match-parties.js'
import { closeMatch, insertMatch, openMatchOf, setMatchRegion } from '../db/matches.js'
import { getOrganisation } from '../db/organisations.js'
import { regionOfMunicipality } from '../db/regions.js'
import { insertRegistration } from '../db/registrations.js'
import type { MatchDatabase, Registration } from '../db/schema.js'
import { formsMatch, latestMunicipality, type MatchChange } from '../domain/matching.js'

/**
 * The region whose municipalities contain the most recent registration's municipality, else the
 * region of the earliest party's organisation (docs/architecture.md).
 */
async function regionFor(
  trx: Transaction<MatchDatabase>,
  registrations: Registration[],
): Promise<string | null> {
  const municipality = latestMunicipality(registrations)
  if (municipality) {
    const code = await regionOfMunicipality(trx, municipality)
    if (code) return code
  }
  const earliest = registrations[0]
  if (!earliest) return null
  return (await getOrganisation(trx, earliest.organisationId))?.regionCode ?? null
}

/**
 * Inserts a registration on a child others are active on (the subject is locked) and joins the open match,
 * or forms one when two or more distinct organisations are now active. `child`: its other active
 * registrations and its open match, read under the lock (match.register_if_fresh answers both).
 */
export async function joinMatch(
  trx: Transaction<MatchDatabase>,
  registration: Registration,
  now: Date,
  child: { active: Registration[]; openMatchId: string | null },
): Promise<MatchChange[]> {
  const active = [...child.active, registration]
  // A match is open only while two organisations are active (leaveMatch closes it below two).
  if (!formsMatch(active)) {
    await insertRegistration(trx, registration)
    return []
  }
  // Statements that need nothing of each other go out together (pipelined); a party row needs its
  // registration first, and goes in with its match when it forms one.
  const [, region] = await pipelined(trx, (trx) =>
    Promise.all([insertRegistration(trx, registration), regionFor(trx, active)]),
  )
  const { openMatchId } = child
  if (openMatchId) {
    await pipelined(trx, (trx) =>
      Promise.all([
        addParties(trx, openMatchId, [registration], now),
        setMatchRegion(trx, openMatchId, region),
      ]),
    )
    return [{ type: 'match.party_joined', matchId: openMatchId, registrationId: registration.id }]
  }
  const matchId = randomUUID()
  await insertMatch(
    trx,
    { id: matchId, subjectKey: registration.subjectKey, status: 'open', regionCode: region, createdAt: now },
    active,
    now,
  )
  return [{ type: 'match.created', matchId, registrationId: registration.id }]
}

/** After a registration ended (the subject is locked): leave the open match, closing it below two organisations. */
export async function leaveMatch(
  trx: Transaction<MatchDatabase>,
  registration: Registration,
  now: Date,
): Promise<MatchChange[]> {
  const open = await openMatchOf(trx, registration.subjectKey)
  if (!open) return []
  if (!(await leaveParty(trx, open.id, registration.id, now))) return []
  const changes: MatchChange[] = [
    { type: 'match.party_left', matchId: open.id, registrationId: registration.id, left: [registration.id] },
  ]
  if (!formsMatch(await remainingOrganisations(trx, open.id))) {
    await closeMatch(trx, open.id, now)
    const closing = await leaveAllParties(trx, open.id, now)
    changes.push({ type: 'match.closed', matchId: open.id, registrationId: null, left: closing })
  }
  return changes
}
