import { type Kysely, sql } from 'kysely'
import type { MatchDatabase } from './schema.js'

/**
 * Statistics queries (issue 14): counts per region and month, never a BSN, subject key or contact detail
 * in what they answer. A registration belongs to the region of its municipality, else its organisation's.
 */
type Range = { region: string; start: Date; end: Date }

const registrationRegion = sql<string>`coalesce(rm.code, o.region_code)`

/**
 * Registrations created in the range, grouped by sector, kind, age on creation and municipality. The month's
 * registrations are grouped by organisation and municipality first and the region's test runs on those few
 * thousand groups: the planner cannot estimate that test, and taking it for a handful of rows it joined the
 * birth dates row by row.
 */
export async function createdRegistrations(db: Kysely<MatchDatabase>, { region, start, end }: Range) {
  const { rows } = await sql<{
    sector: string
    kind: string
    age: number
    municipality: string | null
    count: string
  }>`
    select o.sector, g.kind, g.municipality, g.age, sum(g.count) as count
      from (select r.organisation_id, r.kind, r.municipality,
                   extract(year from age((r.created_at at time zone 'Europe/Amsterdam')::date, s.birth_date))::int as age,
                   count(*) as count
              from match.registrations r
              join match.subjects s on s.subject_key = r.subject_key
             where r.created_at >= ${start} and r.created_at < ${end}
             group by 1, 2, 3, 4) g
      join match.organisations o on o.id = g.organisation_id
      left join match.region_municipalities rm on rm.municipality = g.municipality
     where ${registrationRegion} = ${region}
     group by 1, 2, 3, 4`.execute(db)
  return rows.map((r) => ({ ...r, count: Number(r.count) }))
}

export async function endedRegistrations(db: Kysely<MatchDatabase>, { region, start, end }: Range) {
  const { rows } = await sql<{ reason: string | null; count: string }>`
    select r.end_reason as reason, count(*) as count
      from match.registrations r
      join match.organisations o on o.id = r.organisation_id
      left join match.region_municipalities rm on rm.municipality = r.municipality
     where r.ended_at >= ${start} and r.ended_at < ${end} and ${registrationRegion} = ${region}
     group by 1`.execute(db)
  return rows.map((r) => ({ key: r.reason ?? 'unknown', count: Number(r.count) }))
}

/**
 * Registrations created in the range that linked to a registration on another child at the same address
 * (an address on the register of excluded addresses never links).
 */
export async function householdLinks(db: Kysely<MatchDatabase>, { region, start, end }: Range) {
  const { rows } = await sql<{ count: string }>`
    select count(*) as count
      from match.registrations r
      join match.organisations o on o.id = r.organisation_id
      left join match.region_municipalities rm on rm.municipality = r.municipality
     where r.created_at >= ${start} and r.created_at < ${end} and ${registrationRegion} = ${region}
       and r.household_key is not null
       and not exists (select 1 from match.excluded_addresses e where e.household_key = r.household_key)
       and exists (select 1 from match.registrations h
                    where h.household_key = r.household_key and h.subject_key <> r.subject_key
                      and h.created_at <= r.created_at
                      and (h.ended_at is null or h.ended_at > r.created_at))`.execute(db)
  return Number(rows[0]?.count ?? 0)
}

/** Each count on an index of its own (0090): open at the end is never closed, or closed after it. */
export async function matchCounts(db: Kysely<MatchDatabase>, { region, start, end }: Range) {
  const { rows } = await sql<Record<'opened' | 'closed' | 'openAtEnd' | 'handovers', string>>`
    select (select count(*) from match.matches
             where region_code = ${region} and created_at >= ${start} and created_at < ${end}) as opened,
           (select count(*) from match.matches
             where region_code = ${region} and closed_at >= ${start} and closed_at < ${end}) as closed,
           (select count(*) from match.matches
             where region_code = ${region} and closed_at is null and created_at < ${end})
         + (select count(*) from match.matches
             where region_code = ${region} and closed_at >= ${end} and created_at < ${end}) as "openAtEnd",
           (select count(*) from match.matches
             where region_code = ${region} and warm_handover_at >= ${start} and warm_handover_at < ${end}) as handovers`.execute(
    db,
  )
  const r = rows[0]
  return {
    opened: Number(r?.opened ?? 0),
    closed: Number(r?.closed ?? 0),
    openAtMonthEnd: Number(r?.openAtEnd ?? 0),
    warmHandovers: Number(r?.handovers ?? 0),
  }
}

/**
 * Matches opened in the range whose parties' organisations come from more than one region: their least and
 * greatest region differ (which aggregates by hashing; count(distinct) sorts every party). A party joins its
 * match when the match forms or later, so only parties joined since `start` are read (by index, 0090) instead
 * of every party of every match.
 */
export async function crossRegionMatches(db: Kysely<MatchDatabase>, { region, start, end }: Range) {
  const { rows } = await sql<{ count: string }>`
    select count(*) as count from (
      select m.id
        from match.matches m
        join match.match_parties p on p.match_id = m.id
        join match.organisations o on o.id = p.organisation_id
       where m.region_code = ${region} and m.created_at >= ${start} and m.created_at < ${end}
         and p.joined_at >= ${start}
       group by m.id
      having min(o.region_code) <> max(o.region_code)) x`.execute(db)
  return Number(rows[0]?.count ?? 0)
}

/**
 * An instant as epoch milliseconds: pg's parser takes microseconds a timestamp, and a month of a large region
 * has hundreds of thousands of them.
 */
const epochMs = (column: string) => sql<number>`floor(extract(epoch from ${sql.raw(column)}) * 1000)::bigint`

/**
 * Every party of the matches opened in the range, with its first recorded contact. Parties and contacts come
 * after their match, so both are read from `start` on, as above.
 */
export async function openedMatchParties(db: Kysely<MatchDatabase>, { region, start, end }: Range) {
  const { rows } = await sql<{
    matchId: string
    createdAt: number
    joinedAt: number
    contactedAt: number | null
  }>`
    select m.id as "matchId", ${epochMs('m.created_at')} as "createdAt", ${epochMs('p.joined_at')} as "joinedAt",
           ${epochMs('c.first_at')} as "contactedAt"
      from match.matches m
      join match.match_parties p on p.match_id = m.id
      left join match.match_contacts c
             on c.match_id = m.id and c.organisation_id = p.organisation_id and c.first_at >= ${start}
     where m.region_code = ${region} and m.created_at >= ${start} and m.created_at < ${end}
       and p.joined_at >= ${start}`.execute(db)
  return rows.map((r) => ({
    matchId: r.matchId,
    createdAt: new Date(r.createdAt),
    joinedAt: new Date(r.joinedAt),
    contactedAt: r.contactedAt === null ? null : new Date(r.contactedAt),
  }))
}

/** Coordination history of the region's matches in the range: designations, acceptances, declines, escalations. */
export async function coordinationEvents(db: Kysely<MatchDatabase>, { region, start, end }: Range) {
  const { rows } = await sql<{ event: string; reason: string | null; level: number | null; count: string }>`
    select h.event, h.reason, h.level, count(*) as count
      from match.coordination_history h
      join match.matches m on m.id = h.match_id
     where m.region_code = ${region} and h.at >= ${start} and h.at < ${end}
       and h.event in ('proposed', 'accepted', 'declined', 'escalated')
     group by 1, 2, 3`.execute(db)
  return rows.map((r) => ({ ...r, count: Number(r.count) }))
}

/**
 * Coordinations accepted in the range, counted by the Amsterdam dates of their designation and acceptance:
 * the working days between them depend on nothing else.
 */
export async function acceptances(db: Kysely<MatchDatabase>, { region, start, end }: Range) {
  const { rows } = await sql<{ proposedOn: string; acceptedOn: string; count: string }>`
    select (c.proposed_at at time zone 'Europe/Amsterdam')::date as "proposedOn",
           (c.accepted_at at time zone 'Europe/Amsterdam')::date as "acceptedOn", count(*) as count
      from match.coordinations c
      join match.matches m on m.id = c.match_id
     where m.region_code = ${region} and c.accepted_at >= ${start} and c.accepted_at < ${end}
     group by 1, 2`.execute(db)
  return rows.map((r) => ({ ...r, count: Number(r.count) }))
}

/** Matches open at `end` whose coordination's last state before it was `unassigned` (only matches ever unassigned are looked at). */
export async function unassignedAt(db: Kysely<MatchDatabase>, region: string, end: Date) {
  const { rows } = await sql<{ count: string }>`
    select count(*) as count from (
      select distinct on (h.match_id) h.event
        from match.coordination_history h
       where h.match_id in (
               select u.match_id from match.coordination_history u
                 join match.matches m on m.id = u.match_id
                where u.event = 'unassigned' and u.at < ${end} and m.region_code = ${region}
                  and m.created_at < ${end} and (m.closed_at is null or m.closed_at >= ${end}))
         and h.at < ${end} and h.event in ('proposed', 'accepted', 'unassigned', 'transferred', 'ended')
       order by h.match_id, h.at desc, h.id desc) last
     where last.event = 'unassigned'`.execute(db)
  return Number(rows[0]?.count ?? 0)
}

export async function storedMonths(db: Kysely<MatchDatabase>, region: string, months: string[]) {
  if (months.length === 0) return []
  return db
    .selectFrom('match.statisticsMonths')
    .select(['month', 'figures'])
    .where('regionCode', '=', region)
    .where('month', 'in', months)
    .execute()
}

/** Stores a closed month once: a month already stored is never rewritten. */
export async function storeMonth(
  db: Kysely<MatchDatabase>,
  region: string,
  month: string,
  figures: unknown,
  now: Date,
): Promise<void> {
  await db
    .insertInto('match.statisticsMonths')
    .values({ regionCode: region, month, figures: JSON.stringify(figures), computedAt: now })
    .onConflict((oc) => oc.columns(['regionCode', 'month']).doNothing())
    .execute()
}
