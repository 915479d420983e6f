import type { Sector } from '@verwijsindex/shared'
import type { Kysely, QueryCreator, ShallowDehydrateObject, Transaction } from 'kysely'
import { timeFromJson, timeOrNullFromJson } from './json-times.js'
import type { MatchDatabase, Registration } from './schema.js'

/** An organisation's involvement as the others are told of it: registration, organisation, contact. */
export interface InvolvementRow {
  registrationId: string
  organisationId: string
  organisationName: string
  organisationSector: Sector
  organisationEmail: string
  contactName: string
  contactEmail: string
  contactPhone: string
  kind: 'concern' | 'involvement'
  externalReference: string | null
}

export interface PartyRow extends InvolvementRow {
  joinedAt: Date
  leftAt: Date | null
  notifiedAt: Date | null
  contactedAt: Date | null
  contactedOrganisations: string[] | null
}

/** The columns of an InvolvementRow beside its registration and organisation ids (`r`: registration, `o`: organisation). */
export const INVOLVEMENT_COLUMNS = [
  'o.name as organisationName',
  'o.sector as organisationSector',
  'o.email as organisationEmail',
  'r.contactName',
  'r.contactEmail',
  'r.contactPhone',
  'r.kind',
  'r.externalReference',
] as const

/** A match's parties, with the organisation, the registration's contact and the contacts recorded. */
export function partiesQuery(db: QueryCreator<MatchDatabase>, matchId: string) {
  return db
    .selectFrom('match.matchParties as p')
    .innerJoin('match.registrations as r', 'r.id', 'p.registrationId')
    .innerJoin('match.organisations as o', 'o.id', 'p.organisationId')
    .leftJoin('match.matchContacts as c', (j) =>
      j.onRef('c.matchId', '=', 'p.matchId').onRef('c.organisationId', '=', 'p.organisationId'),
    )
    .select([
      'p.registrationId',
      'p.organisationId',
      ...INVOLVEMENT_COLUMNS,
      'p.joinedAt',
      'p.leftAt',
      'p.notifiedAt',
      'c.firstAt as contactedAt',
      'c.organisations as contactedOrganisations',
    ])
    .where('p.matchId', '=', matchId)
    .orderBy('p.joinedAt')
    .orderBy('r.createdAt')
}

export async function partiesOf(db: Kysely<MatchDatabase>, matchId: string): Promise<PartyRow[]> {
  return partiesQuery(db, matchId).execute()
}

/** A party as `partiesQuery` reads it, from its JSON. */
export function partyFromJson(p: ShallowDehydrateObject<PartyRow>): PartyRow {
  return {
    ...p,
    joinedAt: timeFromJson(p.joinedAt),
    leftAt: timeOrNullFromJson(p.leftAt),
    notifiedAt: timeOrNullFromJson(p.notifiedAt),
    contactedAt: timeOrNullFromJson(p.contactedAt),
  }
}

/** The active parties of a match as coordination candidates, earliest registration first. */
export async function activePartyCandidates(trx: Transaction<MatchDatabase>, matchId: string) {
  return trx
    .selectFrom('match.matchParties as p')
    .innerJoin('match.registrations as r', 'r.id', 'p.registrationId')
    .innerJoin('match.organisations as o', 'o.id', 'p.organisationId')
    .select(['o.id as organisationId', 'o.sector', 'o.mayCoordinate', 'o.active'])
    .where('p.matchId', '=', matchId)
    .where('p.leftAt', 'is', null)
    .orderBy('r.createdAt')
    .orderBy('r.id')
    .execute()
}

/** A current party: may escalate and record contact. */
export async function isActiveParty(
  db: Kysely<MatchDatabase>,
  matchId: string,
  organisationId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('match.matchParties')
    .select('matchId')
    .where('matchId', '=', matchId)
    .where('organisationId', '=', organisationId)
    .where('leftAt', 'is', null)
    .executeTakeFirst()
  return Boolean(row)
}

/** The party rows of registrations joining a match now. */
export function partyRows(matchId: string, registrations: Registration[], now: Date) {
  return registrations.map((r) => ({
    matchId,
    registrationId: r.id,
    organisationId: r.organisationId,
    subjectKey: r.subjectKey,
    joinedAt: now,
  }))
}

export async function addParties(
  trx: Transaction<MatchDatabase>,
  matchId: string,
  registrations: Registration[],
  now: Date,
): Promise<void> {
  await trx
    .insertInto('match.matchParties')
    .values(partyRows(matchId, registrations, now))
    .execute()
}

/** Marks a registration's party as left; whether it was still in the match. */
export async function leaveParty(
  trx: Transaction<MatchDatabase>,
  matchId: string,
  registrationId: string,
  now: Date,
): Promise<boolean> {
  const left = await trx
    .updateTable('match.matchParties')
    .set({ leftAt: now })
    .where('matchId', '=', matchId)
    .where('registrationId', '=', registrationId)
    .where('leftAt', 'is', null)
    .returning('registrationId')
    .execute()
  return left.length > 0
}

/** Every party still in the match leaves (it closes); their registrations. */
export async function leaveAllParties(
  trx: Transaction<MatchDatabase>,
  matchId: string,
  now: Date,
): Promise<string[]> {
  const left = await trx
    .updateTable('match.matchParties')
    .set({ leftAt: now })
    .where('matchId', '=', matchId)
    .where('leftAt', 'is', null)
    .returning('registrationId')
    .execute()
  return left.map((p) => p.registrationId)
}

/** The organisations still in a match. */
export async function remainingOrganisations(
  trx: Transaction<MatchDatabase>,
  matchId: string,
): Promise<{ organisationId: string }[]> {
  return trx
    .selectFrom('match.matchParties')
    .select('organisationId')
    .distinct()
    .where('matchId', '=', matchId)
    .where('leftAt', 'is', null)
    .execute()
}
