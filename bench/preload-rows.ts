/**
 * The preloaded data, row by row, as COPY text: pure functions of a row's number, so any size is made the
 * same way and nothing is held in memory. A year of a region's life up to `now`:
 *
 * - two registrations per child, a day apart, by two organisations, spread evenly over 360 days;
 *   a third of the children's registrations ended (both, 40 days after the second);
 * - every 2.5th child has a match between its two registrations (open, or closed when they ended),
 *   its coordination (by the preset's age rules; proposed in the last week, accepted before; ended when
 *   closed) and that history; four matches in five have a recorded contact;
 * - five audit events per registration over the same year, three in ten without a child, the others
 *   spread over the children, plus `REPORT_CHILDREN` children with `REPORT_EVENTS` events each.
 *
 * Pseudonyms and ids are random-looking (so indexes are as scattered as real ones) but cheap: a hash of
 * the row's number. Only the report children's pseudonyms are real subject keys (HMAC of a BSN with the
 * server's secret), because the subject report is asked for by BSN.
 */
import { subjectKey } from '@verwijsindex/shared'
import { generateBsn } from '@verwijsindex/shared/testing'
import { DESIGNATED, MUNICIPALITIES, ORGS, orgId, REGION } from './fixture.js'

const DAY = 86_400_000
const SPAN = 360 * DAY

/** The children whose subject report is measured: BSN seeds far above those the load uses. */
export const REPORT_CHILDREN = 20
export const REPORT_EVENTS = 1_000
export const reportBsn = (i: number) => generateBsn(44_000_000 + i)

export interface Shape {
  registrations: number
  subjects: number
  matches: number
  events: number
  now: number
}

export function shapeOf(registrations: number, now: number): Shape {
  const subjects = Math.floor(registrations / 2)
  return {
    registrations: subjects * 2,
    subjects,
    matches: Math.floor(registrations / 5),
    events: registrations * 5,
    now,
  }
}

/** murmur3's finaliser: a bijection on 32-bit integers that scatters neighbours. */
function mix(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}
const BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'))
const hex8 = (n: number) =>
  BYTE[n >>> 24]! + BYTE[(n >>> 16) & 255]! + BYTE[(n >>> 8) & 255]! + BYTE[n & 255]!
const hex4 = (n: number) => BYTE[(n >>> 8) & 255]! + BYTE[n & 255]!

/** A version-4-shaped UUID, unique per (kind 0-3, n): the first group is a bijection of n. */
function uuid(kind: number, n: number): string {
  const a = mix(n)
  const b = mix(n ^ 0x5bd1e995)
  const c = mix(a)
  return `${hex8(a)}-${hex4(b)}-4${hex4(b >>> 16).slice(1)}-${'89ab'[kind]}${hex4(c).slice(1)}-${hex4(kind)}${hex8(mix(b))}`
}
/** A 64-hex pseudonym, unique per child: the first group is a bijection of the child's number. */
const key = (child: number) => {
  let out = ''
  for (let i = 0; i < 8; i++) out += hex8(mix(child + i * 0x9e3779b9))
  return out
}
const ts = (ms: number) => new Date(ms).toISOString()
const NULL = '\\N'
const line = (fields: (string | number)[]) => `${fields.join('\t')}\n`

/** The moments of one child's story; every table derives from these. */
function child(shape: Shape, c: number) {
  const first = shape.now - SPAN + Math.floor((c * SPAN) / shape.subjects)
  const second = first + DAY
  const ended = c % 3 === 0 && second + 40 * DAY < shape.now
  const born = shape.now - (1 + ((c * 7919) % (22 * 365 - 2))) * DAY
  return { first, second, ended, endedAt: second + 40 * DAY, born }
}
/** The child's first (0) and second (1) registering organisation: always two different ones. */
const registrationOrg = (c: number, which: number) => orgId((c * 13 + which * 7) % ORGS)
const matchChild = (shape: Shape, m: number) => Math.floor((m * shape.subjects) / shape.matches)

function coordinatorAt(born: number, at: number): { org: string; rule: string } {
  const age = (at - born) / (365.25 * DAY)
  if (age < 4) return { org: DESIGNATED.under4, rule: 'under-4' }
  if (age < 18) return { org: DESIGNATED.from4, rule: '4-to-18' }
  return { org: DESIGNATED.from18, rule: '18-plus' }
}

export interface Table {
  /** `schema.table (columns…)` for COPY. */
  target: string
  rows: number
  row(n: number): string
}

export function tables(shape: Shape, secret: string): Table[] {
  const reportKeys = Array.from({ length: REPORT_CHILDREN }, (_, i) => subjectKey(reportBsn(i), secret))
  const reportEvery = Math.max(1, Math.floor(shape.events / (REPORT_CHILDREN * REPORT_EVENTS)))
  const match = (m: number) => {
    const c = matchChild(shape, m)
    const story = child(shape, c)
    const open = !story.ended
    const proposedOnly = story.second > shape.now - 7 * DAY
    return { c, story, open, proposedOnly, coordinator: coordinatorAt(story.born, story.second) }
  }
  return [
    {
      target: 'match.subjects (subject_key, birth_date, created_at)',
      rows: shape.subjects,
      row: (c) => {
        const s = child(shape, c)
        return line([key(c), ts(s.born).slice(0, 10), ts(s.first)])
      },
    },
    {
      target:
        'match.registrations (id, subject_key, organisation_id, kind, status, created_at, ends_at, ended_at, end_reason, contact_name, contact_email, contact_phone, municipality, created_by)',
      rows: shape.registrations,
      row: (r) => {
        const c = Math.floor(r / 2)
        const s = child(shape, c)
        const at = r % 2 ? s.second : s.first
        const org = registrationOrg(c, r % 2)
        return line([
          uuid(0, r),
          key(c),
          org,
          r % 4 === 0 ? 'involvement' : 'concern',
          s.ended ? 'ended' : 'active',
          ts(at),
          ts(at + 365 * DAY),
          s.ended ? ts(s.endedAt) : NULL,
          s.ended ? ['resolved', 'transferred', 'expired', 'unjustified'][c % 4]! : NULL,
          'Bench Professional',
          `pro@${org}.example`,
          '+31 6 0000 0000',
          MUNICIPALITIES[c % MUNICIPALITIES.length]!,
          'bench',
        ])
      },
    },
    {
      target: 'match.matches (id, subject_key, status, region_code, created_at, closed_at)',
      rows: shape.matches,
      row: (m) => {
        const { c, story, open } = match(m)
        const closedAt = open ? NULL : ts(story.endedAt)
        return line([uuid(1, m), key(c), open ? 'open' : 'closed', REGION, ts(story.second), closedAt])
      },
    },
    {
      target:
        'match.match_parties (match_id, registration_id, organisation_id, subject_key, joined_at, left_at)',
      rows: shape.matches * 2,
      row: (p) => {
        const m = Math.floor(p / 2)
        const { c, story, open } = match(m)
        const leftAt = open ? NULL : ts(story.endedAt)
        const r = 2 * c + (p % 2)
        return line([uuid(1, m), uuid(0, r), registrationOrg(c, p % 2), key(c), ts(story.second), leftAt])
      },
    },
    {
      // Four in five matches: the first party recorded contact a few days after the match (0 rows: skipped).
      target: 'match.match_contacts (match_id, organisation_id, subject_key, at, first_at)',
      rows: shape.matches,
      row: (m) => {
        const { c, story } = match(m)
        const at = story.second + ((m % 7) + 1) * DAY
        if (m % 5 === 4 || at > shape.now) return ''
        return line([uuid(1, m), registrationOrg(c, 0), key(c), ts(at), ts(at)])
      },
    },
    {
      target:
        'match.coordinations (match_id, subject_key, organisation_id, status, rule_id, region_code, region_version, proposed_at, due_at, accepted_at, updated_at)',
      rows: shape.matches,
      row: (m) => {
        const { c, story, open, proposedOnly, coordinator } = match(m)
        const status = !open ? 'ended' : proposedOnly ? 'proposed' : 'accepted'
        const acceptedAt = proposedOnly ? NULL : ts(story.second + 3 * DAY)
        const dueAt = ts(story.second + 7 * DAY)
        const updatedAt = ts(open ? story.second : story.endedAt)
        return line([
          uuid(1, m),
          key(c),
          coordinator.org,
          status,
          coordinator.rule,
          REGION,
          1,
          ts(story.second),
          dueAt,
          acceptedAt,
          updatedAt,
        ])
      },
    },
    {
      target: 'match.coordination_history (match_id, subject_key, at, event, organisation_id, rule_id)',
      rows: shape.matches,
      row: (m) => {
        const { c, story, open, proposedOnly, coordinator } = match(m)
        const id = uuid(1, m)
        const event = (at: number, what: string) =>
          line([id, key(c), ts(at), what, coordinator.org, coordinator.rule])
        let out = event(story.second, 'proposed')
        if (!proposedOnly) out += event(story.second + 3 * DAY, 'accepted')
        if (!open) out += event(story.endedAt, 'ended')
        return out
      },
    },
    {
      target:
        'audit.events (occurred_at, service, action, outcome, actor_id, actor_organisation, actor_roles, subject_key, resource_type, resource_id, request_id, client_ip, user_agent, purpose)',
      rows: shape.events,
      row: (e) => {
        const h = mix(e)
        const subject =
          e % reportEvery === 0 && e / reportEvery < REPORT_CHILDREN * REPORT_EVENTS
            ? reportKeys[(e / reportEvery) % REPORT_CHILDREN]!
            : h % 10 < 3
              ? NULL
              : key(h % shape.subjects)
        const action = ACTIONS[e % ACTIONS.length]!
        const org = orgId(h % ORGS)
        return line([
          ts(shape.now - SPAN + Math.floor((e * SPAN) / shape.events)),
          'match-service',
          action,
          action === 'access.denied' ? 'denied' : 'success',
          `pro-${org}`,
          org,
          '{professional}',
          subject,
          'registration',
          uuid(2, e),
          uuid(3, e),
          `10.1.${h % 250}.7`,
          'Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0',
          action === 'registration.history' ? 'coordination' : NULL,
        ])
      },
    },
  ]
}

const ACTIONS = [
  'registration.create',
  'registration.read',
  'match.read',
  'organisation.list',
  'coordination.accept',
  'access.denied',
  'registration.history',
]
