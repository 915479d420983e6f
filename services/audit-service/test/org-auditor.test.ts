import { seedOrganisations } from '@verwijsindex/shared/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AuditHarness, START, startAuditService } from './helpers.js'

let h: AuditHarness
const at = (minutes: number) => new Date(Date.parse(START) + minutes * 60_000)
const school = { id: 'pro-school-a', organisation: 'school-a', roles: ['professional'], onBehalfOf: null }
const jgz = { id: 'nurse-1', organisation: 'zuidzorg', roles: ['professional'], onBehalfOf: null }
const admin = { id: 'admin-1', organisation: null, roles: ['admin'], onBehalfOf: null }

beforeAll(async () => {
  h = await startAuditService()
  await seedOrganisations(h.db, [{ id: 'school-a' }, { id: 'zuidzorg' }])
  await h.write([
    { action: 'registration.create', actor: school, occurredAt: at(10) },
    { action: 'match.read', actor: jgz, occurredAt: at(20) },
    { action: 'registration.read', actor: school, occurredAt: at(30) },
    { action: 'organisation.list', actor: admin, occurredAt: at(40) },
  ])
  h.clock.set(at(120))
})
afterAll(() => h.close())

const schoolAuditor = () => h.token({ sub: 'fg-school-a', org: 'school-a', roles: ['org_auditor'] })
type Listed = { items: { action: string; actor: { organisation: string | null } }[] }

describe("an organisation's own auditor (org_auditor, NEN 7513's organisation view)", () => {
  it("reads only its own staff's events, whatever it filters on", async () => {
    const res = await h.get('/v1/audit/events', schoolAuditor())
    expect(res.statusCode, res.body).toBe(200)
    const { items } = res.json() as Listed
    // Its own query (audit.query, by school-a) is recorded before the read and shows too.
    expect(new Set(items.map((i) => i.actor.organisation))).toEqual(new Set(['school-a']))
    expect(items.map((i) => i.action)).toEqual(['registration.read', 'registration.create'])
    const read = await h.get('/v1/audit/events?action=registration.read', schoolAuditor())
    expect((read.json() as Listed).items.map((i) => i.actor.organisation)).toEqual(['school-a'])
    // The index's auditor still sees everyone.
    const all = (await h.get('/v1/audit/events', h.auditor)).json() as Listed
    expect(new Set(all.items.map((i) => i.actor.organisation))).toEqual(
      new Set(['school-a', 'zuidzorg', null]),
    )
  })

  it("answers 404 for another organisation's events, audited as access.denied", async () => {
    for (const url of ['/v1/audit/events?organisation=zuidzorg', '/v1/audit/export?organisation=zuidzorg']) {
      const res = await h.get(url, schoolAuditor())
      expect(res.statusCode, url).toBe(404)
      expect(res.body).not.toContain('nurse-1')
    }
    const denied = await h.db
      .selectFrom('audit.events')
      .select(['actorId', 'actorOrganisation'])
      .where('action', '=', 'access.denied')
      .execute()
    expect(denied).toEqual([
      { actorId: 'fg-school-a', actorOrganisation: 'school-a' },
      { actorId: 'fg-school-a', actorOrganisation: 'school-a' },
    ])
  })

  it("exports its own organisation's events only, and may not count or read subject reports", async () => {
    const res = await h.get('/v1/audit/export?format=ndjson', schoolAuditor())
    expect(res.statusCode).toBe(200)
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { actor: { organisation: string } })
    expect(lines.length).toBeGreaterThanOrEqual(2)
    expect(new Set(lines.map((l) => l.actor.organisation))).toEqual(new Set(['school-a']))
    expect((await h.get('/v1/audit/counts', schoolAuditor())).statusCode).toBe(403)
    expect((await h.get('/v1/audit/checkpoints', schoolAuditor())).statusCode).toBe(403)
  })

  it('needs an organisation in its token', async () => {
    const res = await h.get('/v1/audit/events', h.token({ sub: 'fg', roles: ['org_auditor'] }))
    expect(res.statusCode).toBe(401)
  })
})
