import { randomUUID } from 'node:crypto'
import type { ExpressionBuilder, Kysely, Transaction } from 'kysely'
import { activeRegistrationsOfSubject } from './registrations.js'
import type { Match, MatchDatabase, MatchesTable, Registration } from './schema.js'

export type MatchChangeType = 'match.created' | 'match.party_joined' | 'match.party_left' | 'match.closed'

export interface MatchChange {
  type: MatchChangeType
  matchId: string
  registrationId: string | null
}

export async function openMatchOf(
  trx: Kysely<MatchDatabase>,
  subjectKey: string,
): Promise<Match | undefined> {
  return trx
    .selectFrom('match.matches')
    .selectAll()
    .where('subjectKey', '=', subjectKey)
    .where('status', '=', 'open')
    .executeTakeFirst()
}

/**
 * The region whose municipalities contain the most recent registration's municipality, else the
 * region of the earliest party's organisation (DESIGN section 5).
 */
async function regionFor(
  trx: Transaction<MatchDatabase>,
  registrations: Registration[],
): Promise<string | null> {
  const latestWithMunicipality = [...registrations].reverse().find((r) => r.municipality)
  if (latestWithMunicipality?.municipality) {
    const row = await trx
      .selectFrom('match.regionMunicipalities')
      .select('code')
      .where('municipality', '=', latestWithMunicipality.municipality)
      .executeTakeFirst()
    if (row) return row.code
  }
  const earliest = registrations[0]
  if (!earliest) return null
  const org = await trx
    .selectFrom('match.organisations')
    .select('regionCode')
    .where('id', '=', earliest.organisationId)
    .executeTakeFirst()
  return org?.regionCode ?? null
}

/**
 * After a registration became active (the subject is locked): join the open match, or form one when
 * two or more distinct organisations are now active.
 */
export async function joinMatch(
  trx: Transaction<MatchDatabase>,
  registration: Registration,
  now: Date,
  /** The child's other active registrations, when the caller has just read them under the lock. */
  others?: Registration[],
): Promise<MatchChange[]> {
  const open = await openMatchOf(trx, registration.subjectKey)
  const active = others
    ? [...others, registration]
    : await activeRegistrationsOfSubject(trx, registration.subjectKey)
  if (open) {
    await trx
      .insertInto('match.matchParties')
      .values({
        matchId: open.id,
        registrationId: registration.id,
        organisationId: registration.organisationId,
        subjectKey: registration.subjectKey,
        joinedAt: now,
      })
      .execute()
    await trx
      .updateTable('match.matches')
      .set({ regionCode: await regionFor(trx, active) })
      .where('id', '=', open.id)
      .execute()
    return [{ type: 'match.party_joined', matchId: open.id, registrationId: registration.id }]
  }
  if (new Set(active.map((r) => r.organisationId)).size < 2) return []
  const matchId = randomUUID()
  await trx
    .insertInto('match.matches')
    .values({
      id: matchId,
      subjectKey: registration.subjectKey,
      status: 'open',
      regionCode: await regionFor(trx, active),
      createdAt: now,
    })
    .execute()
  await trx
    .insertInto('match.matchParties')
    .values(
      active.map((r) => ({
        matchId,
        registrationId: r.id,
        organisationId: r.organisationId,
        subjectKey: r.subjectKey,
        joinedAt: now,
      })),
    )
    .execute()
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
  const left = await trx
    .updateTable('match.matchParties')
    .set({ leftAt: now })
    .where('matchId', '=', open.id)
    .where('registrationId', '=', registration.id)
    .where('leftAt', 'is', null)
    .returning('registrationId')
    .execute()
  if (left.length === 0) return []
  const changes: MatchChange[] = [
    { type: 'match.party_left', matchId: open.id, registrationId: registration.id },
  ]
  const remaining = await trx
    .selectFrom('match.matchParties')
    .select('organisationId')
    .distinct()
    .where('matchId', '=', open.id)
    .where('leftAt', 'is', null)
    .execute()
  if (remaining.length < 2) {
    await trx
      .updateTable('match.matches')
      .set({ status: 'closed', closedAt: now })
      .where('id', '=', open.id)
      .execute()
    await trx
      .updateTable('match.matchParties')
      .set({ leftAt: now })
      .where('matchId', '=', open.id)
      .where('leftAt', 'is', null)
      .execute()
    changes.push({ type: 'match.closed', matchId: open.id, registrationId: null })
  }
  return changes
}

/** An organisation's involvement as the others are told of it: registration, organisation, contact. */
export interface InvolvementRow {
  registrationId: string
  organisationId: string
  organisationName: string
  organisationSector: string
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
}

export async function partiesOf(db: Kysely<MatchDatabase>, matchId: string): Promise<PartyRow[]> {
  return db
    .selectFrom('match.matchParties as p')
    .innerJoin('match.registrations as r', 'r.id', 'p.registrationId')
    .innerJoin('match.organisations as o', 'o.id', 'p.organisationId')
    .select([
      'p.registrationId',
      'p.organisationId',
      'o.name as organisationName',
      'o.sector as organisationSector',
      'o.email as organisationEmail',
      'r.contactName',
      'r.contactEmail',
      'r.contactPhone',
      'r.kind',
      'r.externalReference',
      'p.joinedAt',
      'p.leftAt',
    ])
    .where('p.matchId', '=', matchId)
    .orderBy('p.joinedAt')
    .orderBy('r.createdAt')
    .execute()
}

export async function getMatch(db: Kysely<MatchDatabase>, id: string): Promise<Match | undefined> {
  return db.selectFrom('match.matches').selectAll().where('id', '=', id).executeTakeFirst()
}

/**
 * Need to know (DESIGN 3.3): the organisations that are or were a party of the match, the one designated
 * to coordinate (or receiving a transfer), and those an escalation step the match has reached names.
 */
function visibleTo(organisationId: string) {
  return (eb: ExpressionBuilder<MatchDatabase & { m: MatchesTable }, 'm'>) =>
    eb.or([
      eb.exists(
        eb
          .selectFrom('match.matchParties as p')
          .select('p.matchId')
          .whereRef('p.matchId', '=', 'm.id')
          .where('p.organisationId', '=', organisationId),
      ),
      eb.exists(
        eb
          .selectFrom('match.coordinations as c')
          .select('c.matchId')
          .whereRef('c.matchId', '=', 'm.id')
          .where((w) =>
            w.or([w('c.organisationId', '=', organisationId), w('c.pendingTransferTo', '=', organisationId)]),
          ),
      ),
      eb.exists(
        eb
          .selectFrom('match.escalationAccess as e')
          .select('e.matchId')
          .whereRef('e.matchId', '=', 'm.id')
          .where('e.organisationId', '=', organisationId),
      ),
    ])
}

/** The match, when the organisation may see it (one query for the common, allowed case). */
export async function visibleMatch(
  db: Kysely<MatchDatabase>,
  matchId: string,
  organisationId: string,
): Promise<Match | undefined> {
  return db
    .selectFrom('match.matches as m')
    .selectAll('m')
    .where('m.id', '=', matchId)
    .where(visibleTo(organisationId))
    .executeTakeFirst()
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

export async function matchIdsVisibleTo(
  db: Kysely<MatchDatabase>,
  organisationId: string,
  filter: { status?: 'open' | 'closed'; after?: { createdAt: string; id: string } },
  limit: number,
): Promise<Match[]> {
  return db
    .selectFrom('match.matches as m')
    .selectAll('m')
    .where(visibleTo(organisationId))
    .$if(filter.status !== undefined, (q) => q.where('m.status', '=', filter.status as 'open' | 'closed'))
    .$if(filter.after !== undefined, (q) => {
      const after = filter.after as { createdAt: string; id: string }
      return q.where((eb) =>
        eb.or([
          eb('m.createdAt', '<', new Date(after.createdAt)),
          eb.and([eb('m.createdAt', '=', new Date(after.createdAt)), eb('m.id', '<', after.id)]),
        ]),
      )
    })
    .orderBy('m.createdAt', 'desc')
    .orderBy('m.id', 'desc')
    .limit(limit)
    .execute()
}
