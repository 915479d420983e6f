import { type Kysely, sql, type Transaction } from 'kysely'
import type { Match, MatchDatabase } from './schema.js'

/**
 * The matches the follow-up schedule may owe something: open ones with a silent party not yet reminded or
 * reported, or without a warm handover and its reminder; closed ones whose coordinator was not yet told.
 */
export async function followUpCandidateIds(db: Kysely<MatchDatabase>): Promise<string[]> {
  const rows = await db
    .selectFrom('match.matches as m')
    .select('m.id')
    .where('m.regionCode', 'is not', null)
    .where((eb) =>
      eb.or([
        eb.and([
          eb('m.status', '=', 'open'),
          eb.or([
            eb.and([eb('m.warmHandoverAt', 'is', null), eb('m.handoverRemindedAt', 'is', null)]),
            eb.exists(
              eb
                .selectFrom('match.matchParties as p')
                .select('p.matchId')
                .whereRef('p.matchId', '=', 'm.id')
                .where('p.leftAt', 'is', null)
                .where((w) => w.or([w('p.remindedAt', 'is', null), w('p.overdueAt', 'is', null)])),
            ),
          ]),
        ]),
        eb.and([
          eb('m.status', '=', 'closed'),
          eb('m.closeToldAt', 'is', null),
          eb('m.warmHandoverAt', 'is', null),
        ]),
      ]),
    )
    .orderBy('m.createdAt')
    .execute()
  return rows.map((r) => r.id)
}

/** Locks a match for the schedule unless another transaction holds it (that one handles it then). */
export async function claimMatch(
  trx: Transaction<MatchDatabase>,
  matchId: string,
): Promise<Match | undefined> {
  return trx
    .selectFrom('match.matches')
    .selectAll()
    .where('id', '=', matchId)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst()
}

/** Locks a match (the warm handover waits for a running schedule instead of skipping it). */
export async function lockMatch(
  trx: Transaction<MatchDatabase>,
  matchId: string,
): Promise<Match | undefined> {
  return trx.selectFrom('match.matches').selectAll().where('id', '=', matchId).forUpdate().executeTakeFirst()
}

/** The current parties with their follow-up stamps and first contact. */
export async function partyFollowUps(db: Kysely<MatchDatabase>, matchId: string) {
  return db
    .selectFrom('match.matchParties as p')
    .leftJoin('match.matchContacts as c', (j) =>
      j.onRef('c.matchId', '=', 'p.matchId').onRef('c.organisationId', '=', 'p.organisationId'),
    )
    .select([
      'p.registrationId',
      'p.organisationId',
      'p.joinedAt',
      'p.remindedAt',
      'p.overdueAt',
      'c.firstAt as contactedAt',
    ])
    .where('p.matchId', '=', matchId)
    .where('p.leftAt', 'is', null)
    .orderBy('p.joinedAt')
    .execute()
}

export async function markParty(
  trx: Transaction<MatchDatabase>,
  matchId: string,
  registrationId: string,
  values: { remindedAt?: Date; overdueAt?: Date },
): Promise<void> {
  await trx
    .updateTable('match.matchParties')
    .set(values)
    .where('matchId', '=', matchId)
    .where('registrationId', '=', registrationId)
    .execute()
}

export async function markMatch(
  trx: Transaction<MatchDatabase>,
  matchId: string,
  values: {
    handoverRemindedAt?: Date
    closeToldAt?: Date
    warmHandoverAt?: Date
    warmHandoverBy?: string
  },
): Promise<void> {
  await trx.updateTable('match.matches').set(values).where('id', '=', matchId).execute()
}

/** The first notification of a match that reached an organisation: kept once, the earliest wins. */
export async function recordNotifiedAt(
  db: Kysely<MatchDatabase>,
  reports: readonly { matchId: string; organisationId: string; deliveredAt: string }[],
): Promise<number> {
  if (reports.length === 0) return 0
  const updated = await sql`
    update match.match_parties p set notified_at = r.at
    from (
      select match_id, organisation_id, min(at) as at
      from unnest(
        ${reports.map((r) => r.matchId)}::uuid[], ${reports.map((r) => r.organisationId)}::text[],
        ${reports.map((r) => r.deliveredAt)}::timestamptz[]
      ) as u (match_id, organisation_id, at)
      group by match_id, organisation_id
    ) r
    where p.match_id = r.match_id and p.organisation_id = r.organisation_id
      and (p.notified_at is null or p.notified_at > r.at)`.execute(db)
  return Number(updated.numAffectedRows ?? 0)
}

/** Open matches an organisation is a current party of or coordinates, and closed ones awaiting its handover. */
export async function followUpOf(
  db: Kysely<MatchDatabase>,
  organisationId: string,
  closedAfter: Date,
  limit: number,
) {
  return db
    .selectFrom('match.matches as m')
    .leftJoin('match.coordinations as c', 'c.matchId', 'm.id')
    .select([
      'm.id',
      'm.status',
      'm.createdAt',
      'm.closedAt',
      'm.regionCode',
      'm.warmHandoverAt',
      'c.organisationId as coordinator',
      'c.status as coordinationStatus',
      'c.acceptedAt',
      'c.dueAt',
      'c.pendingTransferTo',
      'c.regionVersion',
    ])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('match.matchParties as p')
            .select('p.matchId')
            .whereRef('p.matchId', '=', 'm.id')
            .where('p.organisationId', '=', organisationId)
            .where('p.leftAt', 'is', null),
        )
        .$castTo<boolean>()
        .as('isParty'),
    )
    .select((eb) =>
      eb
        .selectFrom('match.matchContacts as mc')
        .select('mc.firstAt')
        .whereRef('mc.matchId', '=', 'm.id')
        .where('mc.organisationId', '=', organisationId)
        .as('contactedAt'),
    )
    .select((eb) =>
      eb
        .selectFrom('match.matchParties as p')
        .select('p.joinedAt')
        .whereRef('p.matchId', '=', 'm.id')
        .where('p.organisationId', '=', organisationId)
        .where('p.leftAt', 'is', null)
        .orderBy('p.joinedAt')
        .limit(1)
        .as('since'),
    )
    .where((eb) =>
      eb.or([
        eb.and([
          eb('m.status', '=', 'open'),
          eb.or([
            eb('c.organisationId', '=', organisationId),
            eb('c.pendingTransferTo', '=', organisationId),
            eb.exists(
              eb
                .selectFrom('match.matchParties as p')
                .select('p.matchId')
                .whereRef('p.matchId', '=', 'm.id')
                .where('p.organisationId', '=', organisationId)
                .where('p.leftAt', 'is', null),
            ),
          ]),
        ]),
        eb.and([
          eb('m.status', '=', 'closed'),
          eb('m.closedAt', '>', closedAfter),
          eb('m.warmHandoverAt', 'is', null),
          eb('c.organisationId', '=', organisationId),
          eb('c.acceptedAt', 'is not', null),
        ]),
      ]),
    )
    .orderBy('m.createdAt')
    .orderBy('m.id')
    .limit(limit)
    .execute()
}
