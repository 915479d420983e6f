import { randomUUID } from 'node:crypto'
import type { AuditDatabase } from '@verwijsindex/audit-service'
import { buildAuditService } from '@verwijsindex/audit-service'
import { buildMatchService } from '@verwijsindex/match-service'
import { readPreset } from '@verwijsindex/match-service/demo'
import { buildNotifyService } from '@verwijsindex/notify-service'
import {
  createDb,
  ManualClock,
  ORGANISATION_ROLES,
  ROLES,
  type Role,
  type TokenClaims,
} from '@verwijsindex/shared'
import {
  createTestDatabase,
  generateBsn,
  professional,
  signToken,
  TEST_JWT_SECRET,
  type TestDatabase,
  testConfig,
} from '@verwijsindex/shared/testing'
import type { FastifyInstance, HTTPMethods, LightMyRequestResponse } from 'fastify'
import { type Kysely, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * NEN 7513: every access is logged. This file holds one row per route of the three services: how to
 * call it successfully, and which audit events that call must write. A route that exists without a row
 * fails the first test ("route X has no audit fixture"), so a new route cannot ship unaudited.
 *
 * Adding a route: add a row to FIXTURES, in an order where what it needs exists (rows run top to
 * bottom and share `Ctx`); `after` can keep ids from the answer for later rows.
 */

type Service = 'match' | 'notify' | 'audit'
type Response = LightMyRequestResponse

interface Ctx {
  /** A match of two parties (school-a, police-a) on child 1; smw-eindhoven is proposed to coordinate. */
  match1: string
  /** school-a's registration on child 1. */
  registration1: string
  /** A second match (school-b, police-a) on child 2, to decline. */
  match2: string
  /** school-a's registration alone on child 3, to withdraw. */
  registration3: string
  /** A notification of school-a (pending: no SMTP in tests). */
  notification: string
  /** A notification made dead by hand, for the admin to retry. */
  deadNotification: string
  webhook?: string
}

interface Fixture {
  /** `<service> <METHOD> <url as registered>` */
  route: `${Service} ${HTTPMethods} /${string}`
  request(c: Ctx): { token: string; url: string; body?: object }
  status?: number
  /** The actions this call must write, each with outcome success, under the call's request id. */
  actions: string[]
  after?(res: Response, c: Ctx): void
}

const child = (n: number) => generateBsn(9000 + n)
const BIRTH_DATE = '2016-01-15'
const clock = new ManualClock('2026-03-02T09:00:00Z')
const token = (claims: Partial<TokenClaims>) => signToken(claims, TEST_JWT_SECRET, { now: clock.now() })
const pro = (org: string) => token(professional(org))
const admin = () => token({ sub: 'admin-1', roles: ['admin'] })
const auditor = () => token({ sub: 'auditor-1', roles: ['auditor'] })
const privacyOfficer = () => token({ sub: 'privacy-1', roles: ['privacy_officer'] })

const FIXTURES: Fixture[] = [
  // match-service: regions and organisations
  {
    route: 'match PUT /v1/regions/:code',
    request: () => ({ token: admin(), url: '/v1/regions/eindhoven', body: PRESET }),
    actions: ['region.write'],
  },
  {
    route: 'match GET /v1/regions',
    request: () => ({ token: pro('school-a'), url: '/v1/regions' }),
    actions: ['region.list'],
  },
  {
    route: 'match GET /v1/regions/:code',
    request: () => ({ token: pro('school-a'), url: '/v1/regions/eindhoven' }),
    actions: ['region.read'],
  },
  {
    route: 'match POST /v1/regions/:code/explain',
    request: () => ({
      token: pro('school-a'),
      url: '/v1/regions/eindhoven/explain',
      body: { ageYears: 10, parties: [{ sector: 'school-po' }, { sector: 'police' }] },
    }),
    actions: ['region.explain'],
  },
  {
    route: 'match POST /v1/organisations',
    request: () => ({
      token: admin(),
      url: '/v1/organisations',
      body: {
        id: 'jeugdarts-oost',
        name: 'Jeugdarts Oost',
        sector: 'jgz-4-19',
        region: 'eindhoven',
        email: 'a@b.example',
      },
    }),
    status: 201,
    actions: ['organisation.create'],
  },
  {
    route: 'match PATCH /v1/organisations/:id',
    request: () => ({
      token: admin(),
      url: '/v1/organisations/jeugdarts-oost',
      body: { name: 'Jeugdarts Oost-Brabant' },
    }),
    actions: ['organisation.update'],
  },
  {
    route: 'match GET /v1/organisations',
    request: () => ({ token: pro('school-a'), url: '/v1/organisations' }),
    actions: ['organisation.list'],
  },
  {
    route: 'match GET /v1/organisations/:id',
    request: () => ({ token: pro('school-a'), url: '/v1/organisations/police-a' }),
    actions: ['organisation.read'],
  },
  {
    route: 'match PUT /v1/excluded-addresses',
    request: () => ({
      token: admin(),
      url: '/v1/excluded-addresses',
      body: { postcode: '5611 AB', houseNumber: '1' },
    }),
    status: 201,
    actions: ['excluded_address.add'],
  },
  {
    route: 'match GET /v1/excluded-addresses',
    request: () => ({ token: admin(), url: '/v1/excluded-addresses' }),
    actions: ['excluded_address.list'],
  },
  {
    route: 'match DELETE /v1/excluded-addresses',
    request: () => ({
      token: admin(),
      url: '/v1/excluded-addresses',
      body: { postcode: '5611AB', houseNumber: '1' },
    }),
    status: 204,
    actions: ['excluded_address.remove'],
  },

  // match-service: registrations
  {
    route: 'match POST /v1/registrations',
    request: () => ({
      token: pro('school-b'),
      url: '/v1/registrations',
      body: { bsn: child(5), birthDate: BIRTH_DATE, kind: 'concern' },
    }),
    status: 201,
    actions: ['registration.create'],
  },
  {
    route: 'match GET /v1/registrations',
    request: () => ({ token: pro('school-a'), url: '/v1/registrations' }),
    actions: ['registration.read'],
  },
  {
    route: 'match GET /v1/registrations/:id',
    request: (c) => ({ token: pro('school-a'), url: `/v1/registrations/${c.registration1}` }),
    actions: ['registration.read'],
  },
  {
    route: 'match PATCH /v1/registrations/:id',
    request: (c) => ({
      token: pro('school-a'),
      url: `/v1/registrations/${c.registration1}`,
      body: { durationDays: 200 },
    }),
    actions: ['registration.update'],
  },
  {
    route: 'match POST /v1/registrations/:id/history',
    request: (c) => ({
      token: pro('school-a'),
      url: `/v1/registrations/${c.registration1}/history`,
      body: { purpose: 'assessment' },
    }),
    actions: ['registration.history'],
  },
  {
    route: 'match GET /v1/registrations/:id/household',
    request: (c) => ({ token: pro('school-a'), url: `/v1/registrations/${c.registration1}/household` }),
    actions: ['household.read'],
  },
  {
    route: 'match POST /v1/registrations/:id/withdraw',
    request: (c) => ({
      token: pro('school-a'),
      url: `/v1/registrations/${c.registration3}/withdraw`,
      body: { reason: 'resolved' },
    }),
    actions: ['registration.withdraw'],
  },

  // match-service: matches and coordination
  {
    route: 'match GET /v1/matches',
    request: () => ({ token: pro('police-a'), url: '/v1/matches' }),
    actions: ['match.read'],
  },
  {
    route: 'match GET /v1/matches/:id',
    request: (c) => ({ token: pro('police-a'), url: `/v1/matches/${c.match1}` }),
    actions: ['match.read'],
  },
  {
    route: 'match POST /v1/matches/:id/coordination/accept',
    request: (c) => ({ token: pro('smw-eindhoven'), url: `/v1/matches/${c.match1}/coordination/accept` }),
    actions: ['coordination.accept'],
  },
  {
    route: 'match POST /v1/matches/:id/coordination/transfer',
    request: (c) => ({
      token: pro('smw-eindhoven'),
      url: `/v1/matches/${c.match1}/coordination/transfer`,
      body: { organisation: 'amw-eindhoven' },
    }),
    actions: ['coordination.transfer'],
  },
  {
    route: 'match POST /v1/matches/:id/coordination/decline',
    request: (c) => ({
      token: pro('smw-eindhoven'),
      url: `/v1/matches/${c.match2}/coordination/decline`,
      body: { reason: 'no_capacity' },
    }),
    actions: ['coordination.decline'],
  },
  {
    route: 'match POST /v1/matches/:id/escalate',
    request: (c) => ({
      token: pro('school-a'),
      url: `/v1/matches/${c.match1}/escalate`,
      body: { reason: 'no_contact' },
    }),
    actions: ['coordination.escalate'],
  },
  {
    route: 'match POST /v1/matches/:id/contacted',
    request: (c) => ({ token: pro('school-a'), url: `/v1/matches/${c.match1}/contacted` }),
    actions: ['match.contacted'],
  },
  {
    route: 'match POST /v1/matches/:id/warm-handover',
    request: (c) => ({ token: pro('smw-eindhoven'), url: `/v1/matches/${c.match1}/warm-handover` }),
    actions: ['match.warm_handover'],
  },
  {
    route: 'match GET /v1/organisations/:id/follow-up',
    request: () => ({ token: pro('school-a'), url: '/v1/organisations/school-a/follow-up' }),
    actions: ['match.follow_up_list'],
  },
  {
    route: 'match GET /v1/regions/:code/statistics',
    request: () => ({
      token: token({ sub: 'beleid-1', roles: ['policy_officer'], region: 'eindhoven' }),
      url: '/v1/regions/eindhoven/statistics?from=2026-01&to=2026-03',
    }),
    actions: ['statistics.read'],
  },

  // match-service: the privacy officer
  {
    route: 'match POST /v1/subjects/lookup',
    request: () => ({ token: privacyOfficer(), url: '/v1/subjects/lookup', body: { bsn: child(1) } }),
    actions: ['subject.lookup'],
  },
  {
    route: 'match POST /v1/subjects/erase',
    request: () => ({
      token: privacyOfficer(),
      url: '/v1/subjects/erase',
      body: { bsn: child(4), reason: 'objection' },
    }),
    actions: ['subject.erase'],
  },

  // notify-service
  {
    route: 'notify GET /v1/notifications',
    request: () => ({ token: pro('school-a'), url: '/v1/notifications' }),
    actions: ['notification.list'],
  },
  {
    route: 'notify GET /v1/notifications/:id',
    request: (c) => ({ token: pro('school-a'), url: `/v1/notifications/${c.notification}` }),
    actions: ['notification.read'],
  },
  {
    route: 'notify POST /v1/notifications/:id/retry',
    request: (c) => ({ token: admin(), url: `/v1/notifications/${c.deadNotification}/retry` }),
    actions: ['notification.retry'],
  },
  {
    route: 'notify POST /v1/webhooks',
    request: () => ({
      token: pro('police-a'),
      url: '/v1/webhooks',
      body: { url: 'https://hooks.police.example/vi' },
    }),
    status: 201,
    actions: ['webhook.create'],
    after: (res, c) => {
      c.webhook = res.json().id
    },
  },
  {
    route: 'notify GET /v1/webhooks',
    request: () => ({ token: pro('police-a'), url: '/v1/webhooks' }),
    actions: ['webhook.list'],
  },
  {
    route: 'notify DELETE /v1/webhooks/:id',
    request: (c) => ({ token: pro('police-a'), url: `/v1/webhooks/${c.webhook}` }),
    status: 204,
    actions: ['webhook.delete'],
  },

  // audit-service: reading the log is itself logged
  {
    route: 'audit GET /v1/audit/events',
    request: () => ({ token: auditor(), url: '/v1/audit/events' }),
    actions: ['audit.query'],
  },
  {
    route: 'audit GET /v1/audit/counts',
    request: () => ({
      token: auditor(),
      url: '/v1/audit/counts?from=2026-01-01T00:00:00Z&to=2026-04-01T00:00:00Z',
    }),
    actions: ['audit.counts'],
  },
  {
    route: 'audit GET /v1/audit/export',
    request: () => ({ token: auditor(), url: '/v1/audit/export?format=csv' }),
    actions: ['audit.export'],
  },
  {
    route: 'audit GET /v1/audit/verify',
    request: () => ({ token: auditor(), url: '/v1/audit/verify' }),
    actions: ['audit.verify'],
  },
  {
    route: 'audit GET /v1/audit/checkpoints',
    request: () => ({ token: auditor(), url: '/v1/audit/checkpoints' }),
    actions: ['audit.checkpoints'],
  },
  {
    route: 'audit POST /v1/audit/subject-report',
    request: () => ({ token: privacyOfficer(), url: '/v1/audit/subject-report', body: { bsn: child(1) } }),
    actions: ['audit.subject_report'],
  },
]

let PRESET: object
let database: TestDatabase
let db: Kysely<AuditDatabase>
let apps: Record<Service, FastifyInstance>
const ctx = {} as Ctx

async function call(
  service: Service,
  method: HTTPMethods,
  url: string,
  bearer: string,
  body?: object,
  requestId?: string,
) {
  return apps[service].inject({
    method,
    url,
    headers: { authorization: `Bearer ${bearer}`, ...(requestId ? { 'x-request-id': requestId } : {}) },
    ...(body ? { payload: body } : {}),
  })
}

async function ok(res: Response, status = 200): Promise<Response> {
  if (res.statusCode !== status) throw new Error(`setup call answered ${res.statusCode}: ${res.body}`)
  return res
}

beforeAll(async () => {
  PRESET = await readPreset('eindhoven')
  database = await createTestDatabase()
  const config = testConfig(database.url, { DATABASE_POOL_MAX: '3' })
  apps = {
    match: await buildMatchService({ config, clock }),
    notify: await buildNotifyService({ config, clock }),
    audit: await buildAuditService({ config, clock }),
  }
  db = createDb<AuditDatabase>(database.url, { max: 2 })

  // The world the fixtures act in, made through the APIs as a region would.
  await ok(await call('match', 'PUT', '/v1/regions/eindhoven', admin(), PRESET), 201)
  const sectors: [string, string][] = [
    ['school-a', 'school-po'],
    ['school-b', 'school-vo'],
    ['police-a', 'police'],
    ['zuidzorg', 'jgz-0-4'],
    ['smw-eindhoven', 'school-social-work'],
    ['amw-eindhoven', 'amw'],
    ['cjg-eindhoven', 'cjg'],
    ['gemeente-eindhoven', 'municipality'],
  ]
  for (const [id, sector] of sectors) {
    const body = {
      id,
      name: `Organisation ${id}`,
      sector,
      region: 'eindhoven',
      email: `mailbox@${id}.example`,
    }
    await ok(await call('match', 'POST', '/v1/organisations', admin(), body), 201)
  }
  const register = async (org: string, n: number) => {
    const body = { bsn: child(n), birthDate: BIRTH_DATE, kind: 'concern' }
    return (await ok(await call('match', 'POST', '/v1/registrations', pro(org), body), 201)).json()
  }
  ctx.registration1 = (await register('school-a', 1)).id
  ctx.match1 = (await register('police-a', 1)).matchId
  await register('school-b', 2)
  ctx.match2 = (await register('police-a', 2)).matchId
  ctx.registration3 = (await register('school-a', 3)).id
  await register('school-a', 4)
  const proposed = (await call('match', 'GET', `/v1/matches/${ctx.match1}`, pro('school-a'))).json()
  if (proposed.coordination?.organisation?.id !== 'smw-eindhoven') {
    throw new Error(`expected smw-eindhoven to be proposed, got ${JSON.stringify(proposed.coordination)}`)
  }

  // What match-service enqueued becomes notifications (no SMTP here: they wait as pending).
  await apps.notify.notifier.processEvents()
  const { rows } = await sql<{ id: string }>`
    select id from notify.notifications where organisation_id = 'school-a' and webhook_id is null
    order by created_at, id limit 2`.execute(db)
  if (rows.length < 2) throw new Error('expected notifications for school-a')
  ctx.notification = rows[0]!.id
  ctx.deadNotification = rows[1]!.id
  await sql`update notify.notifications set status = 'dead' where id = ${ctx.deadNotification}`.execute(db)
}, 120_000)

afterAll(async () => {
  for (const app of Object.values(apps ?? {})) await app.close()
  await db?.destroy()
  await database?.drop()
})

const registered = () =>
  (Object.entries(apps) as [Service, FastifyInstance][]).flatMap(([service, app]) =>
    app.registeredRoutes
      .filter((r) => !r.public)
      .map((r) => ({ ...r, key: `${service} ${r.method} ${r.url}` })),
  )

describe('every route writes its audit event', () => {
  it('every registered route has an audit fixture, and every fixture a route', () => {
    const routes = registered().map((r) => r.key)
    expect(routes.length).toBeGreaterThan(30)
    const fixtures = new Set<string>(FIXTURES.map((f) => f.route))
    expect(routes.filter((r) => !fixtures.has(r)).map((r) => `route ${r} has no audit fixture`)).toEqual([])
    expect(
      FIXTURES.filter((f) => !routes.includes(f.route)).map((f) => `fixture ${f.route} has no route`),
    ).toEqual([])
  })

  it.each(FIXTURES)('$route', async (fixture) => {
    const [service, method] = fixture.route.split(' ') as [Service, HTTPMethods]
    const { token: bearer, url, body } = fixture.request(ctx)
    const requestId = `fixture-${randomUUID()}`
    const res = await call(service, method, url, bearer, body, requestId)
    expect(res.statusCode, res.body).toBe(fixture.status ?? 200)
    const events = await db
      .selectFrom('audit.events')
      .select(['action', 'outcome', 'service', 'actorId'])
      .where('requestId', '=', requestId)
      .execute()
    for (const action of fixture.actions) {
      expect(events, `${fixture.route} did not write ${action}`).toContainEqual(
        expect.objectContaining({ action, outcome: 'success', service: `${service}-service` }),
      )
    }
    fixture.after?.(res, ctx)
  })

  it('a token without the route’s role is refused with 403 and an access.denied event, on every route', async () => {
    const failures: string[] = []
    for (const route of registered().filter((r) => r.roles)) {
      const allowed = route.roles as readonly string[]
      const role = ROLES.find((r) => !allowed.includes(r)) as Role | undefined
      if (!role) continue
      const bearer = (ORGANISATION_ROLES as readonly string[]).includes(role)
        ? token({ sub: 'outsider', org: 'school-a', roles: [role] })
        : token({ sub: 'outsider', roles: [role] })
      const url = route.url.replace(':code', 'eindhoven').replace(':id', randomUUID())
      const requestId = `denied-${randomUUID()}`
      const service = route.key.split(' ')[0] as Service
      const res = await call(service, route.method as HTTPMethods, url, bearer, undefined, requestId)
      const events = await db
        .selectFrom('audit.events')
        .select(['action', 'outcome'])
        .where('requestId', '=', requestId)
        .execute()
      if (
        res.statusCode !== 403 ||
        !events.some((e) => e.action === 'access.denied' && e.outcome === 'denied')
      ) {
        failures.push(`${route.key} as ${role}: ${res.statusCode}, events ${JSON.stringify(events)}`)
      }
    }
    expect(failures).toEqual([])
  })
})
