import type { Kysely } from 'kysely'
import type { MatchDatabase } from '../db/schema.js'
import {
  acceptances,
  coordinationEvents,
  createdRegistrations,
  crossRegionMatches,
  endedRegistrations,
  householdLinks,
  matchCounts,
  openedMatchParties,
  unassignedAt,
} from '../db/statistics.js'
import type { RegionDocument } from '../domain/region-document.js'
import {
  AGE_BANDS,
  ageBand,
  BREAKDOWN_KEYS,
  countsOf,
  type MonthFigures,
  median,
  sum,
} from '../domain/statistics.js'
import { monthStart, nextMonth, workingCalendar } from '../domain/working-days.js'

/**
 * One month of a region's figures, computed from the tables (the running month up to `now`). Reads no
 * BSN: registrations, organisations, birth dates for the age band, matches, contacts and coordination.
 */
export async function computeMonthFigures(
  db: Kysely<MatchDatabase>,
  region: { code: string; document: RegionDocument },
  month: string,
  now: Date,
): Promise<MonthFigures> {
  const start = monthStart(month)
  const monthEnd = monthStart(nextMonth(month))
  const end = monthEnd < now ? monthEnd : now
  const range = { region: region.code, start, end }
  const calendar = workingCalendar(region.document.holidays)
  const [created, ended, links, counts, crossRegion, parties, history, accepted, unassigned] =
    await Promise.all([
      createdRegistrations(db, range),
      endedRegistrations(db, range),
      householdLinks(db, range),
      matchCounts(db, range),
      crossRegionMatches(db, range),
      openedMatchParties(db, range),
      coordinationEvents(db, range),
      acceptances(db, range),
      unassignedAt(db, region.code, end),
    ])
  const by = (key: (r: (typeof created)[number]) => string) =>
    created.map((r) => ({ key: key(r), count: r.count }))
  const municipalities = [...region.document.municipalities].sort()

  // Follow-up of the matches opened this month: every party within contactWithin; first contact of any.
  const contactWithin = region.document.followUp?.contactWithin
  const byMatch = new Map<string, { createdAt: Date; allWithin: boolean; first: Date | null }>()
  let seen = 0
  for (const p of parties) {
    // A large region's month holds hundreds of thousands of parties (about 330,000 at 10M registrations),
    // each with a working-day deadline: the event loop is given back now and then, or every other request
    // waits seconds and is refused as "under pressure" while the running month is computed.
    if (++seen % 5_000 === 0) await new Promise((resolve) => setImmediate(resolve))
    const m = byMatch.get(p.matchId) ?? { createdAt: p.createdAt, allWithin: true, first: null }
    const within =
      p.contactedAt !== null &&
      (!contactWithin || p.contactedAt <= calendar.deadline(p.joinedAt, contactWithin))
    m.allWithin &&= within
    if (p.contactedAt && (!m.first || p.contactedAt < m.first)) m.first = p.contactedAt
    byMatch.set(p.matchId, m)
  }
  const matches = [...byMatch.values()]
  const allContactedWithin = contactWithin ? matches.filter((m) => m.allWithin).length : 0
  const firstContacts = matches.flatMap((m) => (m.first ? [calendar.daysBetween(m.createdAt, m.first)] : []))

  const historyOf = (event: string) => history.filter((h) => h.event === event)
  const declinesByReason = countsOf(
    BREAKDOWN_KEYS.declineReasons,
    historyOf('declined').map((h) => ({ key: h.reason ?? 'other', count: h.count })),
  )
  const escalationsByLevel = countsOf(
    (region.document.coordination.escalation ?? []).map((s) => String(s.level)),
    historyOf('escalated').map((h) => ({ key: String(h.level ?? 0), count: h.count })),
  )
  const createdTotal = created.reduce((a, r) => a + r.count, 0)
  const endedByReason = countsOf([], ended)
  return {
    month,
    registrations: {
      created: {
        total: createdTotal,
        bySector: countsOf(
          BREAKDOWN_KEYS.sectors,
          by((r) => r.sector),
        ),
        byKind: countsOf(
          BREAKDOWN_KEYS.kinds,
          by((r) => r.kind),
        ),
        byAgeBand: countsOf(
          AGE_BANDS,
          by((r) => ageBand(r.age)),
        ),
        byMunicipality: countsOf(
          municipalities,
          by((r) => r.municipality ?? 'unknown'),
        ),
      },
      ended: { total: sum(endedByReason), byReason: endedByReason },
    },
    matches: {
      opened: counts.opened,
      closed: counts.closed,
      openAtMonthEnd: counts.openAtMonthEnd,
      householdLinks: links,
      crossRegion,
    },
    followUp: {
      opened: matches.length,
      allContactedWithin,
      followUpRate: contactWithin && matches.length > 0 ? allContactedWithin / matches.length : null,
      contacted: firstContacts.length,
      medianWorkingDaysToFirstContact: median(firstContacts),
      warmHandovers: counts.warmHandovers,
    },
    coordination: {
      designated: sum(
        countsOf(
          [],
          historyOf('proposed').map((h) => ({ key: 'x', count: h.count })),
        ),
      ),
      accepted: accepted.reduce((a, r) => a + r.count, 0),
      medianWorkingDaysToAcceptance: median(
        accepted.flatMap((a) =>
          Array<number>(a.count).fill(calendar.daysBetweenDates(a.proposedOn, a.acceptedOn)),
        ),
      ),
      declined: sum(declinesByReason),
      declinesByReason,
      escalated: sum(escalationsByLevel),
      escalationsByLevel,
      unassignedAtMonthEnd: unassigned,
    },
  }
}
