import { readPreset } from '@verwijsindex/match-service/demo'
import { generateBsn, professional } from '@verwijsindex/shared/testing'
import type { HTTPMethods } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BIRTH_DATE,
  changesSince,
  child,
  installWriteCounter,
  type Service,
  startWorld,
  type World,
  writeMark,
} from './world.js'

/**
 * The need-to-know matrix (issue 12; docs/security.md): every route of the three services, taken from
 * Fastify's own route table, called by every role and by each relation of the caller's organisation to the
 * data. Each cell must answer what EXPECTED says, show no data the caller may not know, write exactly one
 * `access.denied` when it refuses (403/404) and none when it answers 401 or 2xx, and change no row when
 * it refuses. A route without a row in
 * EXPECTED and REQUESTS fails the first test, so a new route cannot ship without its need-to-know rule.
 */

const ORGANISATION_ROLES = ['professional', 'system', 'org_auditor'] as const
const OPERATOR_ROLES = ['admin', 'auditor', 'privacy_officer', 'policy_officer'] as const
const RELATIONS = ['own', 'other', 'former', 'unknown', 'deactivated'] as const
type OrganisationRole = (typeof ORGANISATION_ROLES)[number]
type Role = OrganisationRole | (typeof OPERATOR_ROLES)[number] | 'none'
type Relation = (typeof RELATIONS)[number]

/**
 * What each cell answers, written by hand from the documented rules (DESIGN §3–4, docs/integrators.md §2
 * and §9, docs/security.md) — never read from the routes' own configuration.
 *
 * For the roles that act for an organisation, one column per relation of the caller's organisation:
 * - own: the organisation the route is for — school-a, which owns the world's registration, notification
 *   and webhook and is a party of its match; for accept and decline the organisation proposed to
 *   coordinate, for transfer and warm-handover the accepted coordinator (smw-eindhoven, on a fresh match);
 * - other: amw-eindhoven, never involved in anything;
 * - former: school-b, a party that left the match (need to know ends at `leftAt`);
 * - unknown: an organisation id the index does not know; deactivated: gesloten (403 on every route).
 * The operator roles carry no organisation, so the relation cannot change their answer: one column each.
 * `none` is a token with no roles at all: 401, like no token.
 */
const EXPECTED = `
                                                     professional        | system              | org_auditor         | adm aud pri pol | none
                                                     own oth frm unk dea | own oth frm unk dea | own oth frm unk dea |                 |
match  GET    /v1/regions                            200 200 200 403 403 | 200 200 200 403 403 | 200 200 200 403 403 | 200 200 200 200 | 401
match  GET    /v1/regions/:code                      200 200 200 403 403 | 200 200 200 403 403 | 200 200 200 403 403 | 200 200 200 200 | 401
match  PUT    /v1/regions/:code                      403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 | 200 403 403 403 | 401
match  POST   /v1/regions/:code/explain              200 200 200 403 403 | 200 200 200 403 403 | 200 200 200 403 403 | 200 200 200 200 | 401
match  GET    /v1/regions/:code/statistics           403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 | 200 403 403 200 | 401
match  POST   /v1/organisations                      403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 | 201 403 403 403 | 401
match  GET    /v1/organisations                      200 200 200 403 403 | 200 200 200 403 403 | 200 200 200 403 403 | 200 200 200 200 | 401
match  GET    /v1/organisations/:id                  200 200 200 403 403 | 200 200 200 403 403 | 200 200 200 403 403 | 200 200 200 200 | 401
match  PATCH  /v1/organisations/:id                  403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 | 200 403 403 403 | 401
match  GET    /v1/organisations/:id/follow-up        200 404 404 403 403 | 200 404 404 403 403 | 403 403 403 403 403 | 403 403 403 403 | 401
match  PUT    /v1/excluded-addresses                 403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 | 201 403 403 403 | 401
match  DELETE /v1/excluded-addresses                 403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 | 204 403 403 403 | 401
match  GET    /v1/excluded-addresses                 403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 | 200 403 403 403 | 401
match  POST   /v1/registrations                      201 201 201 403 403 | 201 201 201 403 403 | 403 403 403 403 403 | 403 403 403 403 | 401
match  GET    /v1/registrations                      200 200 200 403 403 | 200 200 200 403 403 | 403 403 403 403 403 | 403 403 403 403 | 401
match  GET    /v1/registrations/:id                  200 404 404 403 403 | 200 404 404 403 403 | 403 403 403 403 403 | 403 403 403 403 | 401
match  PATCH  /v1/registrations/:id                  200 404 404 403 403 | 200 404 404 403 403 | 403 403 403 403 403 | 403 403 403 403 | 401
match  POST   /v1/registrations/:id/history          200 404 404 403 403 | 200 404 404 403 403 | 403 403 403 403 403 | 403 403 403 403 | 401
match  GET    /v1/registrations/:id/household        200 404 404 403 403 | 200 404 404 403 403 | 403 403 403 403 403 | 403 403 403 403 | 401
match  POST   /v1/registrations/:id/withdraw         200 404 404 403 403 | 200 404 404 403 403 | 403 403 403 403 403 | 403 403 403 403 | 401
match  GET    /v1/matches                            200 200 200 403 403 | 200 200 200 403 403 | 403 403 403 403 403 | 403 403 403 403 | 401
match  GET    /v1/matches/:id                        200 404 404 403 403 | 200 404 404 403 403 | 403 403 403 403 403 | 403 403 403 403 | 401
match  POST   /v1/matches/:id/coordination/accept    200 404 404 403 403 | 200 404 404 403 403 | 403 403 403 403 403 | 403 403 403 403 | 401
match  POST   /v1/matches/:id/coordination/decline   200 404 404 403 403 | 200 404 404 403 403 | 403 403 403 403 403 | 403 403 403 403 | 401
match  POST   /v1/matches/:id/coordination/transfer  200 404 404 403 403 | 200 404 404 403 403 | 403 403 403 403 403 | 403 403 403 403 | 401
match  POST   /v1/matches/:id/escalate               200 404 404 403 403 | 200 404 404 403 403 | 403 403 403 403 403 | 403 403 403 403 | 401
match  POST   /v1/matches/:id/contacted              200 404 404 403 403 | 200 404 404 403 403 | 403 403 403 403 403 | 403 403 403 403 | 401
match  POST   /v1/matches/:id/warm-handover          200 404 404 403 403 | 200 404 404 403 403 | 403 403 403 403 403 | 403 403 403 403 | 401
match  POST   /v1/subjects/lookup                    403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 | 403 403 200 403 | 401
match  POST   /v1/subjects/erase                     403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 | 403 403 200 403 | 401
notify GET    /v1/notifications                      200 200 200 403 403 | 200 200 200 403 403 | 403 403 403 403 403 | 200 403 403 403 | 401
notify GET    /v1/notifications/:id                  200 404 404 403 403 | 200 404 404 403 403 | 403 403 403 403 403 | 200 403 403 403 | 401
notify POST   /v1/notifications/:id/retry            403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 | 200 403 403 403 | 401
notify POST   /v1/webhooks                           201 201 201 403 403 | 201 201 201 403 403 | 403 403 403 403 403 | 403 403 403 403 | 401
notify GET    /v1/webhooks                           200 200 200 403 403 | 200 200 200 403 403 | 403 403 403 403 403 | 403 403 403 403 | 401
notify DELETE /v1/webhooks/:id                       204 404 404 403 403 | 204 404 404 403 403 | 403 403 403 403 403 | 403 403 403 403 | 401
audit  GET    /v1/audit/events                       403 403 403 403 403 | 403 403 403 403 403 | 200 404 404 403 403 | 403 200 403 403 | 401
audit  GET    /v1/audit/counts                       403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 | 403 200 403 403 | 401
audit  GET    /v1/audit/export                       403 403 403 403 403 | 403 403 403 403 403 | 200 404 404 403 403 | 403 200 403 403 | 401
audit  GET    /v1/audit/verify                       403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 | 403 200 403 403 | 401
audit  GET    /v1/audit/checkpoints                  403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 | 403 200 403 403 | 401
audit  POST   /v1/audit/subject-report               403 403 403 403 403 | 403 403 403 403 403 | 403 403 403 403 403 | 403 200 200 403 | 401
`

interface Cell {
  role: Role
  /** Undefined for the roles without an organisation. */
  relation: Relation | undefined
  status: number
}

function parseExpected(table: string): Map<string, Cell[]> {
  const rows = new Map<string, Cell[]>()
  for (const line of table.split('\n')) {
    if (!/^(match|notify|audit) /.test(line)) continue
    const [head = '', ...groups] = line.split('|').map((part) => part.trim().split(/\s+/))
    const [service, method, url, ...professionalCodes] = head
    const columns = [professionalCodes, ...groups]
    const cells: Cell[] = []
    ORGANISATION_ROLES.forEach((role, i) => {
      RELATIONS.forEach((relation, j) => {
        cells.push({ role, relation, status: Number(columns[i]?.[j]) })
      })
    })
    OPERATOR_ROLES.forEach((role, i) => {
      cells.push({ role, relation: undefined, status: Number(columns[3]?.[i]) })
    })
    cells.push({ role: 'none', relation: undefined, status: Number(columns[4]?.[0]) })
    if (cells.some((c) => !Number.isInteger(c.status))) throw new Error(`EXPECTED: a malformed row: ${line}`)
    rows.set(`${service} ${method} ${url}`, cells)
  }
  return rows
}
const expected = parseExpected(EXPECTED)

let w: World
/** What the matrix adds to the world (see widenWorld). */
const widened = {} as {
  preset: object
  /** A match on another child, of police-a and cjg-eindhoven: nothing of school-a's. */
  unrelatedMatch: string
  /** The match the deactivated organisation gesloten had with school-a (closed by the deactivation). */
  closedMatch: string
  /** school-a's webhook. */
  webhook: string
}

/** The caller's organisation for a relation; `own` depends on the route (REQUESTS' `own`). */
const CALLER: Record<Exclude<Relation, 'own'>, string> = {
  other: 'amw-eindhoven',
  former: 'school-b',
  unknown: 'onbekend-matrix',
  deactivated: 'gesloten',
}

let fresh = 0
const freshBsn = () => generateBsn(9800 + fresh++)
/** An address on the register of excluded addresses that no other cell uses. */
const freshAddress = () => ({ postcode: '5699 ZZ', houseNumber: String(1 + fresh++) })
const freshContact = () => {
  const n = fresh++
  return { name: `Fresh Contact ${n}`, email: `fresh-${n}@fresh.example`, phone: '+31 6 0000 0000' }
}
/** BSNs the suite has used: none may appear in any answer. */
const usedBsns: string[] = []

function tokenFor(role: Role, org: string | undefined): string {
  if (role === 'none') return w.token({ sub: 'nobody', roles: [] })
  if (role === 'professional') return w.token(professional(org as string))
  if (role === 'system' || role === 'org_auditor')
    return w.token({ sub: `${role}-${org}`, org, roles: [role], name: `The ${role} of ${org}` })
  return w.token({ sub: `${role}-1`, roles: [role] })
}

async function setup(service: Service, method: HTTPMethods, url: string, org: string, body?: object) {
  const res = await w.apps[service].inject({
    method,
    url,
    headers: { authorization: `Bearer ${w.token(professional(org))}` },
    ...(body ? { payload: body } : {}),
  })
  if (res.statusCode >= 300) throw new Error(`setup ${method} ${url}: ${res.statusCode} ${res.body}`)
  return res.statusCode === 204 ? {} : res.json()
}

/** A registration of `org` on a child of its own, with a contact no other cell knows. */
async function freshRegistration(
  org = 'school-a',
  bsn = freshBsn(),
): Promise<{ id: string; matchId: string }> {
  usedBsns.push(bsn)
  const body = { bsn, birthDate: BIRTH_DATE, kind: 'concern', contact: freshContact() }
  return setup('match', 'POST', '/v1/registrations', org, body)
}

/** A new match of school-a and police-a; the Eindhoven rules propose smw-eindhoven (a 10-year-old). */
async function freshMatch(): Promise<string> {
  const bsn = freshBsn()
  await freshRegistration('school-a', bsn)
  return (await freshRegistration('police-a', bsn)).matchId
}

async function acceptedMatch(): Promise<string> {
  const match = await freshMatch()
  await setup('match', 'POST', `/v1/matches/${match}/coordination/accept`, 'smw-eindhoven')
  return match
}

interface Call {
  url: string
  body?: object
}
interface CellRequest {
  /** The caller's organisation (organisation roles only). */
  org: string | undefined
  /** The cell is expected to succeed: a state change gets data of its own, so no other cell sees it. */
  allowed: boolean
}
interface RouteRequests {
  /** The organisation `own` stands for on this route (default school-a). */
  own?: string
  call(cell: CellRequest): Call | Promise<Call>
}

/** How each route is called, with valid parameters and bodies, so that only the caller varies. */
const REQUESTS: Record<string, RouteRequests> = {
  'match GET /v1/regions': { call: () => ({ url: '/v1/regions' }) },
  'match GET /v1/regions/:code': { call: () => ({ url: '/v1/regions/eindhoven' }) },
  'match PUT /v1/regions/:code': { call: () => ({ url: '/v1/regions/eindhoven', body: widened.preset }) },
  'match POST /v1/regions/:code/explain': {
    call: () => ({
      url: '/v1/regions/eindhoven/explain',
      body: { ageYears: 10, parties: [{ sector: 'school-po' }, { sector: 'police' }] },
    }),
  },
  'match GET /v1/regions/:code/statistics': {
    call: () => ({ url: '/v1/regions/eindhoven/statistics?from=2026-01&to=2026-03' }),
  },
  'match POST /v1/organisations': {
    call: () => ({
      url: '/v1/organisations',
      body: {
        id: `matrix-${fresh++}`,
        name: 'Matrix',
        sector: 'amw',
        region: 'eindhoven',
        email: 'mailbox@matrix.example',
      },
    }),
  },
  'match GET /v1/organisations': { call: () => ({ url: '/v1/organisations' }) },
  'match GET /v1/organisations/:id': { call: () => ({ url: '/v1/organisations/school-a' }) },
  'match PATCH /v1/organisations/:id': {
    call: () => ({ url: '/v1/organisations/school-a', body: { name: 'Organisation school-a' } }),
  },
  'match GET /v1/organisations/:id/follow-up': {
    call: () => ({ url: '/v1/organisations/school-a/follow-up' }),
  },
  'match PUT /v1/excluded-addresses': {
    call: () => ({ url: '/v1/excluded-addresses', body: freshAddress() }),
  },
  'match DELETE /v1/excluded-addresses': {
    call: async ({ allowed }) => {
      const body = freshAddress()
      if (allowed) {
        const admin = `Bearer ${w.token({ sub: 'matrix-admin', roles: ['admin'] })}`
        const put = await w.apps.match.inject({
          method: 'PUT',
          url: '/v1/excluded-addresses',
          headers: { authorization: admin },
          payload: body,
        })
        if (put.statusCode !== 201) throw new Error(`setup PUT /v1/excluded-addresses: ${put.body}`)
      }
      return { url: '/v1/excluded-addresses', body }
    },
  },
  'match GET /v1/excluded-addresses': { call: () => ({ url: '/v1/excluded-addresses' }) },
  'match POST /v1/registrations': {
    call: () => {
      const bsn = freshBsn()
      usedBsns.push(bsn)
      return {
        url: '/v1/registrations',
        body: { bsn, birthDate: BIRTH_DATE, kind: 'concern', contact: freshContact() },
      }
    },
  },
  'match GET /v1/registrations': { call: () => ({ url: '/v1/registrations' }) },
  'match GET /v1/registrations/:id': { call: () => ({ url: `/v1/registrations/${w.ids.registration}` }) },
  'match PATCH /v1/registrations/:id': {
    call: () => ({ url: `/v1/registrations/${w.ids.registration}`, body: { durationDays: 200 } }),
  },
  'match POST /v1/registrations/:id/history': {
    call: () => ({
      url: `/v1/registrations/${w.ids.registration}/history`,
      body: { purpose: 'assessment' },
    }),
  },
  'match GET /v1/registrations/:id/household': {
    call: () => ({ url: `/v1/registrations/${w.ids.registration}/household` }),
  },
  'match POST /v1/registrations/:id/withdraw': {
    call: async ({ allowed }) => ({
      url: `/v1/registrations/${allowed ? (await freshRegistration()).id : w.ids.registration}/withdraw`,
      body: { reason: 'resolved' },
    }),
  },
  'match GET /v1/matches': { call: () => ({ url: '/v1/matches' }) },
  'match GET /v1/matches/:id': { call: () => ({ url: `/v1/matches/${w.ids.match}` }) },
  'match POST /v1/matches/:id/coordination/accept': {
    own: 'smw-eindhoven',
    call: async ({ allowed }) => ({
      url: `/v1/matches/${allowed ? await freshMatch() : w.ids.match}/coordination/accept`,
    }),
  },
  'match POST /v1/matches/:id/coordination/decline': {
    own: 'smw-eindhoven',
    call: async ({ allowed }) => ({
      url: `/v1/matches/${allowed ? await freshMatch() : w.ids.match}/coordination/decline`,
      body: { reason: 'no_capacity' },
    }),
  },
  'match POST /v1/matches/:id/coordination/transfer': {
    own: 'smw-eindhoven',
    call: async ({ allowed }) => ({
      url: `/v1/matches/${allowed ? await acceptedMatch() : w.ids.match}/coordination/transfer`,
      body: { organisation: 'zuidzorg' },
    }),
  },
  'match POST /v1/matches/:id/escalate': {
    call: async ({ allowed }) => ({
      url: `/v1/matches/${allowed ? await freshMatch() : w.ids.match}/escalate`,
      body: { reason: 'no_contact' },
    }),
  },
  'match POST /v1/matches/:id/contacted': {
    call: async ({ allowed }) => ({
      url: `/v1/matches/${allowed ? await freshMatch() : w.ids.match}/contacted`,
    }),
  },
  'match POST /v1/matches/:id/warm-handover': {
    own: 'smw-eindhoven',
    call: async ({ allowed }) => ({
      url: `/v1/matches/${allowed ? await acceptedMatch() : w.ids.match}/warm-handover`,
    }),
  },
  'match POST /v1/subjects/lookup': { call: () => ({ url: '/v1/subjects/lookup', body: { bsn: child(1) } }) },
  'match POST /v1/subjects/erase': {
    call: async ({ allowed }) => {
      const bsn = freshBsn()
      if (allowed) await freshRegistration('school-a', bsn)
      usedBsns.push(bsn)
      return { url: '/v1/subjects/erase', body: { bsn, reason: 'objection' } }
    },
  },
  'notify GET /v1/notifications': { call: () => ({ url: '/v1/notifications' }) },
  'notify GET /v1/notifications/:id': { call: () => ({ url: `/v1/notifications/${w.ids.notification}` }) },
  'notify POST /v1/notifications/:id/retry': {
    call: async ({ allowed }) => ({
      url: `/v1/notifications/${allowed ? await deadNotification() : w.ids.notification}/retry`,
    }),
  },
  'notify POST /v1/webhooks': {
    call: () => ({ url: '/v1/webhooks', body: { url: `https://hooks.example.org/fresh-${fresh++}` } }),
  },
  'notify GET /v1/webhooks': { call: () => ({ url: '/v1/webhooks' }) },
  'notify DELETE /v1/webhooks/:id': {
    call: async ({ allowed, org }) => {
      const own = allowed
        ? (
            await setup('notify', 'POST', '/v1/webhooks', org as string, {
              url: 'https://hooks.example.org/d',
            })
          ).id
        : widened.webhook
      return { url: `/v1/webhooks/${own}` }
    },
  },
  'audit GET /v1/audit/events': { call: () => ({ url: '/v1/audit/events?organisation=school-a' }) },
  'audit GET /v1/audit/counts': {
    call: () => ({ url: '/v1/audit/counts?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z' }),
  },
  'audit GET /v1/audit/export': {
    call: () => ({ url: '/v1/audit/export?format=ndjson&organisation=school-a' }),
  },
  'audit GET /v1/audit/verify': { call: () => ({ url: '/v1/audit/verify' }) },
  'audit GET /v1/audit/checkpoints': { call: () => ({ url: '/v1/audit/checkpoints' }) },
  'audit POST /v1/audit/subject-report': {
    call: () => ({ url: '/v1/audit/subject-report', body: { bsn: child(1) } }),
  },
}

/** A notification made dead by hand (as after its last failed attempt), for the admin to retry. */
async function deadNotification(): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    update notify.notifications set status = 'dead'
    where id = (select id from notify.notifications
                where status <> 'dead' and id <> ${w.ids.notification} and webhook_id is null
                order by created_at, id limit 1)
    returning id`.execute(w.db)
  const id = rows[0]?.id
  if (!id) throw new Error('no notification left to make dead')
  return id
}

/**
 * The world of world.ts, widened so that every relation has something to leak: an organisation that
 * joined the match after school-b left (school-b must never see it), a match school-a has no part in, and
 * a webhook of school-a's.
 */
async function widenWorld(): Promise<void> {
  widened.preset = await readPreset('eindhoven')
  const register = (org: string, n: number) =>
    setup('match', 'POST', '/v1/registrations', org, {
      bsn: child(n),
      birthDate: BIRTH_DATE,
      kind: 'concern',
    })
  // school-b left the match (world.ts); a webhook of its own must hear nothing of what happens after.
  await setup('notify', 'POST', '/v1/webhooks', 'school-b', { url: 'https://hooks.example.org/school-b' })
  await register('zuidzorg', 1)
  await register('police-a', 3)
  widened.unrelatedMatch = (await register('cjg-eindhoven', 3)).matchId
  const { rows } = await sql<{ id: string }>`
    select match_id as id from match.match_parties where organisation_id = 'gesloten'`.execute(w.db)
  widened.closedMatch = rows[0]?.id as string
  widened.webhook = (
    await setup('notify', 'POST', '/v1/webhooks', 'school-a', {
      url: 'https://hooks.example.org/school-a-world',
    })
  ).id
  await w.apps.notify.notifier.processEvents()
  usedBsns.push(child(1), child(2), child(3))
}

/**
 * What each organisation may know of the world, written by hand: a secret (an id, a contact's e-mail or
 * name) in an answer to anyone else is a leak. Registrations, notifications and webhooks are each their
 * organisation's alone; a match and its parties' contacts are known to its current parties and its
 * coordinator — school-b learnt of school-a, police-a and the match before it left, never of zuidzorg.
 */
interface Secret {
  value: string
  knownTo: string[]
}
let secrets: Secret[] = []

async function collectSecrets(): Promise<Secret[]> {
  const contact = (org: string, knownTo: string[]) => [
    { value: `pro@${org}.example`, knownTo: [org, ...knownTo] },
    { value: `Professional of ${org}`, knownTo: [org, ...knownTo] },
  ]
  const list: Secret[] = [
    { value: w.ids.match, knownTo: ['school-a', 'police-a', 'school-b', 'zuidzorg', 'smw-eindhoven'] },
    { value: widened.closedMatch, knownTo: ['school-a', 'gesloten', 'smw-eindhoven'] },
    { value: widened.unrelatedMatch, knownTo: ['police-a', 'cjg-eindhoven', 'smw-eindhoven'] },
    ...contact('school-a', ['police-a', 'school-b', 'zuidzorg', 'smw-eindhoven', 'gesloten']),
    ...contact('police-a', ['school-a', 'school-b', 'zuidzorg', 'smw-eindhoven', 'cjg-eindhoven']),
    ...contact('school-b', ['school-a', 'police-a', 'zuidzorg', 'smw-eindhoven']),
    ...contact('zuidzorg', ['school-a', 'police-a', 'smw-eindhoven']),
    ...contact('gesloten', ['school-a', 'smw-eindhoven']),
    ...contact('cjg-eindhoven', ['police-a', 'smw-eindhoven']),
  ]
  const { rows } = await sql<{ value: string; org: string }>`
    select id::text as value, organisation_id as org from match.registrations
    union all select id::text, organisation_id from notify.notifications
    union all select id::text, organisation_id from notify.webhooks
    union all select url, organisation_id from notify.webhooks`.execute(w.db)
  for (const r of rows) list.push({ value: r.value, knownTo: [r.org] })
  return list
}

/** The secrets in a body that this caller may not know (what it sent itself aside). */
function leaks(body: string, sent: string, org: string | undefined, refused: boolean): string[] {
  const found = usedBsns.filter((bsn) => body.includes(bsn)).map((bsn) => `BSN ${bsn}`)
  // An operator role that may call the route sees what the route shows; a refusal shows nobody anything.
  if (!refused && org === undefined) return found
  for (const s of secrets) {
    if (!refused && s.knownTo.includes(org as string)) continue
    if (sent.includes(s.value)) continue
    if (body.includes(s.value)) found.push(s.value)
  }
  return found
}

let requestNumber = 0
const tally = new Map<string, number>()

async function runCell(key: string, cell: Cell): Promise<string | undefined> {
  const [service, method] = key.split(' ') as [Service, HTTPMethods]
  const requests = REQUESTS[key] as RouteRequests
  const org =
    cell.relation === undefined
      ? undefined
      : cell.relation === 'own'
        ? (requests.own ?? 'school-a')
        : CALLER[cell.relation]
  const allowed = cell.status < 300
  const { url, body } = await requests.call({ org, allowed })
  const requestId = `matrix-${++requestNumber}`
  const mark = await writeMark(w.db)
  const res = await w.apps[service].inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokenFor(cell.role, org)}`, 'x-request-id': requestId },
    ...(body ? { payload: body } : {}),
  })
  const { rows } = await sql<{ action: string }>`
    select action from audit.events where request_id = ${requestId} order by id`.execute(w.db)
  const denials = rows.filter((r) => r.action === 'access.denied').length
  const bucket =
    cell.status === 401 ? '401' : cell.status === 403 || cell.status === 404 ? String(cell.status) : '2xx'
  tally.set(bucket, (tally.get(bucket) ?? 0) + 1)

  const where = `${cell.role}${cell.relation ? `/${cell.relation} (${org})` : ''}`
  const problems: string[] = []
  if (res.statusCode !== cell.status)
    problems.push(`answered ${res.statusCode}, expected ${cell.status}: ${res.body.slice(0, 200)}`)
  const refused = res.statusCode >= 400
  const leaked = leaks(res.body, `${url} ${JSON.stringify(body ?? {})}`, org, refused)
  if (leaked.length) problems.push(`shows what it may not know: ${leaked.join(', ')}`)
  if (res.statusCode === 401 && rows.length !== 0)
    problems.push(`401 wrote audit events: ${rows.map((r) => r.action).join(', ')}`)
  if ((res.statusCode === 403 || res.statusCode === 404) && (denials !== 1 || rows.length !== 1))
    problems.push(`refusal wrote ${denials} access.denied among [${rows.map((r) => r.action).join(', ')}]`)
  if (res.statusCode < 300 && denials !== 0) problems.push(`success wrote ${denials} access.denied`)
  const { writes } = await changesSince(w.db, mark)
  if (refused && writes !== 0) problems.push(`refusal changed ${writes} rows outside the audit trail`)
  return problems.length ? `${where}: ${problems.join('; ')}` : undefined
}

beforeAll(async () => {
  w = await startWorld()
  await widenWorld()
  secrets = await collectSecrets()
  await installWriteCounter(w.db)
}, 120_000)
afterAll(() => w?.close())

describe('the need-to-know matrix', () => {
  it('has a row in EXPECTED and REQUESTS for every route of the three services, and no other', () => {
    const routes = w
      .routes()
      .map((r) => r.key)
      .sort()
    expect(
      routes.filter((key) => !expected.has(key)),
      'routes without a row in EXPECTED',
    ).toEqual([])
    expect(
      routes.filter((key) => !REQUESTS[key]),
      'routes without a row in REQUESTS',
    ).toEqual([])
    expect([...expected.keys()].sort(), 'rows in EXPECTED for routes that do not exist').toEqual(routes)
    expect(Object.keys(REQUESTS).sort(), 'rows in REQUESTS for routes that do not exist').toEqual(routes)
  })

  for (const [key, cells] of expected) {
    it(`${key}: every role and relation answers as documented, leaks nothing, audits each refusal`, async () => {
      const failures: string[] = []
      for (const cell of cells) {
        const failure = await runCell(key, cell)
        if (failure) failures.push(failure)
      }
      expect(failures).toEqual([])
    })
  }

  it('tells a party that left nothing more: a later join reaches neither its mail nor its webhook', async () => {
    const notifications = async (org: string, query: string) => {
      const res = await w.apps.notify.inject({
        url: `/v1/notifications?${query}`,
        headers: { authorization: `Bearer ${w.token(professional(org))}` },
      })
      return res.json().items as { eventId: string; eventType: string; channel: string }[]
    }
    // The join's event, as the joiner was told of it (its own registration is the event's subject).
    const joined = (await notifications('zuidzorg', `matchId=${w.ids.match}`)).filter(
      (n) => n.eventType === 'match.party_joined',
    )
    expect(new Set(joined.map((n) => n.eventId)).size).toBe(1)
    expect(await notifications('school-a', `eventId=${joined[0]?.eventId}`)).not.toEqual([])
    expect(await notifications('school-b', `eventId=${joined[0]?.eventId}`)).toEqual([])
  })

  it('covers routes × roles × relations', () => {
    const routes = expected.size
    const cells = [...tally.values()].reduce((a, b) => a + b, 0)
    console.log(
      `need-to-know matrix: ${routes} routes × 8 roles × 5 relations (operator roles and the role-less token ` +
        `have no organisation, so one relation each) = ${cells} cells: ` +
        `${tally.get('2xx') ?? 0} 2xx, ${tally.get('403') ?? 0} 403, ${tally.get('404') ?? 0} 404, ${tally.get('401') ?? 0} 401`,
    )
    expect(cells).toBe(routes * (ORGANISATION_ROLES.length * RELATIONS.length + OPERATOR_ROLES.length + 1))
  })
})
