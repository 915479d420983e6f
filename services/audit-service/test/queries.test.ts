import { subjectKey } from '@verwijsindex/shared'
import { generateBsn, TEST_SUBJECT_KEY_SECRET } from '@verwijsindex/shared/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AuditHarness, START, startAuditService } from './helpers.js'

let h: AuditHarness
const childA = generateBsn(1)
const childB = generateBsn(2)
const keyA = subjectKey(childA, TEST_SUBJECT_KEY_SECRET)
const keyB = subjectKey(childB, TEST_SUBJECT_KEY_SECRET)
const at = (minutes: number) => new Date(Date.parse(START) + minutes * 60_000)

const school = { id: 'pro-school-a', organisation: 'school-a', roles: ['professional'], onBehalfOf: null }
const jgz = { id: 'nurse-1', organisation: 'zuidzorg', roles: ['professional'], onBehalfOf: null }
const police = { id: 'police-system', organisation: 'police-a', roles: ['system'], onBehalfOf: 'officer-7' }

beforeAll(async () => {
  h = await startAuditService()
  // Written the way match-service writes them; deliberately out of time order.
  await h.write([
    {
      action: 'registration.create',
      actor: school,
      subjectKey: keyA,
      occurredAt: at(10),
      resource: { type: 'registration', id: 'r1' },
    },
    { action: 'registration.create', actor: jgz, subjectKey: keyB, occurredAt: at(11) },
    {
      action: 'match.read',
      actor: jgz,
      subjectKey: keyA,
      occurredAt: at(30),
      resource: { type: 'match', id: 'm1' },
    },
    { action: 'registration.create', actor: police, subjectKey: keyA, occurredAt: at(20), purpose: null },
    {
      action: 'access.denied',
      outcome: 'denied',
      actor: police,
      subjectKey: keyA,
      occurredAt: at(40),
      resource: { type: 'match', id: 'm1' },
    },
    {
      action: 'registration.history',
      actor: jgz,
      subjectKey: keyA,
      occurredAt: at(50),
      purpose: 'coordination',
    },
    { action: 'organisation.list', actor: school, occurredAt: at(5) },
    { action: 'registration.read', actor: school, subjectKey: keyB, occurredAt: at(60) },
  ])
  // The log is read after all of that happened.
  h.clock.set(at(120))
})
afterAll(() => h.close())

const report = (body: object, token = h.privacyOfficer, query = '') =>
  h.app.inject({
    method: 'POST',
    url: `/v1/audit/subject-report${query}`,
    headers: { authorization: `Bearer ${token}` },
    payload: body,
  })

describe('subject report (NEN 7513 client view)', () => {
  it("shows exactly the accesses to that child's data, oldest first: who, what, when", async () => {
    const res = await report({ bsn: childA })
    expect(res.statusCode).toBe(200)
    const { items, nextCursor } = res.json()
    expect(nextCursor).toBeNull()
    expect(items.map((i: { action: string }) => i.action)).toEqual([
      'registration.create',
      'registration.create',
      'match.read',
      'access.denied',
      'registration.history',
    ])
    expect(items[0]).toEqual({
      id: expect.any(Number),
      occurredAt: at(10).toISOString(),
      service: 'match-service',
      action: 'registration.create',
      outcome: 'success',
      actor: school,
      resource: { type: 'registration', id: 'r1' },
      purpose: null,
    })
    expect(items[1].actor).toEqual(police)
    expect(items[3]).toMatchObject({ outcome: 'denied', actor: { organisation: 'police-a' } })
    expect(items[4]).toMatchObject({ purpose: 'coordination' })
    // Nothing about the other child, nothing without a subject, and no subject key or BSN in the answer.
    expect(res.body).not.toContain(keyA)
    expect(res.body).not.toContain(childA)
  })

  it('filters by period and pages with a cursor', async () => {
    const res = await report({ bsn: childA, from: at(20).toISOString(), to: at(50).toISOString() })
    expect(res.json().items.map((i: { occurredAt: string }) => i.occurredAt)).toEqual(
      [20, 30, 40].map((m) => at(m).toISOString()),
    )
    const first = (await report({ bsn: childA }, h.auditor, '?limit=2')).json()
    expect(first.items).toHaveLength(2)
    const second = (await report({ bsn: childA }, h.auditor, `?limit=2&cursor=${first.nextCursor}`)).json()
    expect(second.items.map((i: { occurredAt: string }) => i.occurredAt)).toEqual(
      [30, 40].map((m) => at(m).toISOString()),
    )
  })

  it('is itself audited with the subject key (never the BSN), and shows in later reports', async () => {
    const res = await report({ bsn: childB })
    expect(res.statusCode).toBe(200)
    expect(res.json().items.map((i: { action: string }) => i.action)).toEqual([
      'registration.create',
      'registration.read',
    ])
    const events = await h.db
      .selectFrom('audit.events')
      .selectAll()
      .where('action', '=', 'audit.subject_report')
      .execute()
    expect(events.at(-1)).toMatchObject({ subjectKey: keyB, actorId: 'privacy-1', service: 'audit-service' })
    const again = (await report({ bsn: childB })).json()
    expect(again.items.at(-1)).toMatchObject({ action: 'audit.subject_report', actor: { id: 'privacy-1' } })
    const stored = await h.db.selectFrom('audit.events').selectAll().execute()
    expect(JSON.stringify(stored)).not.toContain(childB)
  })

  it.each([
    ['not nine digits', '12345678'],
    ['failing the elfproef', '123456789'],
    ['all zeros', '000000000'],
    ['a number', 111222333],
  ])('refuses a BSN %s with 400 at /bsn', async (_name, bsn) => {
    const res = await report({ bsn })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/)
    expect(res.json()).toMatchObject({
      code: 'validation_failed',
      errors: [expect.objectContaining({ pointer: '/bsn' })],
    })
    expect(res.body).not.toContain(String(bsn))
  })

  it('refuses unknown fields and a period that ends before it starts', async () => {
    const res = await report({
      bsn: childA,
      reason: 'curious',
      from: at(10).toISOString(),
      to: at(5).toISOString(),
    })
    expect(res.statusCode).toBe(400)
    const pointers = res.json().errors.map((e: { pointer: string }) => e.pointer)
    expect(pointers).toEqual(expect.arrayContaining(['/reason']))
    const backwards = await report({ bsn: childA, from: at(10).toISOString(), to: at(5).toISOString() })
    expect(backwards.json().errors).toEqual([expect.objectContaining({ pointer: '/to' })])
  })

  it('never logs the BSN', async () => {
    await report({ bsn: childA })
    await report({ bsn: '123456789' })
    expect(h.logs.join('\n')).not.toContain(childA)
  })
})

describe('events and counts (auditor)', () => {
  const list = async (query: string) => {
    const res = await h.get(`/v1/audit/events${query}`, h.auditor)
    expect(res.statusCode).toBe(200)
    return res.json()
  }

  it('filters by acting organisation, actor, action, outcome and period, newest first', async () => {
    const byOrg = await list('?organisation=zuidzorg')
    expect(byOrg.items.map((e: { occurredAt: string }) => e.occurredAt)).toEqual(
      [50, 30, 11].map((m) => at(m).toISOString()),
    )
    expect(byOrg.items[0]).toMatchObject({
      action: 'registration.history',
      actor: jgz,
      subject: keyA,
      requestId: 'req-00000001',
      clientIp: '10.0.0.1',
      userAgent: 'vitest',
      purpose: 'coordination',
    })
    expect(Object.keys(byOrg.items[0])).not.toContain('xactId')
    expect((await list('?actor=police-system')).items).toHaveLength(2)
    expect(
      (await list('?outcome=denied&organisation=police-a')).items.map((e: { action: string }) => e.action),
    ).toEqual(['access.denied'])
    expect((await list('?action=registration.create')).items).toHaveLength(3)
    const period = await list(
      `?from=${at(20).toISOString()}&to=${at(40).toISOString()}&organisation=police-a`,
    )
    expect(period.items.map((e: { action: string }) => e.action)).toEqual(['registration.create'])
  })

  it('pages with a cursor without gaps or repeats', async () => {
    const seen: number[] = []
    let cursor: string | null = null
    do {
      const page: { items: { id: number }[]; nextCursor: string | null } = await list(
        `?limit=3&to=${at(61).toISOString()}${cursor ? `&cursor=${cursor}` : ''}`,
      )
      seen.push(...page.items.map((e) => e.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(seen).toHaveLength(8)
    expect(new Set(seen).size).toBe(8)
  })

  it('refuses bad filters and cursors with a 400 naming them', async () => {
    const res = await h.get('/v1/audit/events?outcome=maybe&from=yesterday&colour=red', h.auditor)
    expect(res.statusCode).toBe(400)
    expect(res.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(
      expect.arrayContaining(['/outcome', '/from', '/colour']),
    )
    const cursor = await h.get('/v1/audit/events?cursor=bm9wZQ', h.auditor)
    expect(cursor.statusCode).toBe(400)
    expect(cursor.json().errors).toEqual([expect.objectContaining({ pointer: '/cursor' })])
  })

  it('counts per acting organisation and action over a period', async () => {
    const res = await h.get(
      `/v1/audit/counts?from=${at(0).toISOString()}&to=${at(45).toISOString()}`,
      h.auditor,
    )
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      from: at(0).toISOString(),
      to: at(45).toISOString(),
      items: [
        { organisation: 'police-a', action: 'access.denied', total: 1, success: 0, denied: 1, error: 0 },
        {
          organisation: 'police-a',
          action: 'registration.create',
          total: 1,
          success: 1,
          denied: 0,
          error: 0,
        },
        { organisation: 'school-a', action: 'organisation.list', total: 1, success: 1, denied: 0, error: 0 },
        {
          organisation: 'school-a',
          action: 'registration.create',
          total: 1,
          success: 1,
          denied: 0,
          error: 0,
        },
        { organisation: 'zuidzorg', action: 'match.read', total: 1, success: 1, denied: 0, error: 0 },
        {
          organisation: 'zuidzorg',
          action: 'registration.create',
          total: 1,
          success: 1,
          denied: 0,
          error: 0,
        },
      ],
    })
    const missing = await h.get('/v1/audit/counts', h.auditor)
    expect(missing.statusCode).toBe(400)
  })
})

describe('export', () => {
  const exportOf = (query: string) => h.get(`/v1/audit/export${query}`, h.auditor)

  it('NDJSON: one audit event per line, in id order, filtered', async () => {
    const res = await exportOf(`?format=ndjson&organisation=school-a&to=${at(61).toISOString()}`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/application\/x-ndjson/)
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="audit-events-.*\.ndjson"/)
    const lines = res.body
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((l) => l.action)).toEqual([
      'registration.create',
      'organisation.list',
      'registration.read',
    ])
    expect(lines.map((l) => l.id)).toEqual([...lines.map((l) => l.id)].sort((a, b) => a - b))
    expect(lines[0]).toMatchObject({ actor: school, subject: keyA, occurredAt: at(10).toISOString() })
  })

  it('CSV: a header, RFC 4180 quoting, and no formula a spreadsheet would run', async () => {
    await h.write([
      {
        action: 'registration.read',
        actor: { ...school, id: '=HYPERLINK("http://evil")' },
        userAgent: 'Mozilla/5.0 (X11, "quoted")\nsecond line',
        occurredAt: at(100),
      },
    ])
    const res = await exportOf(`?format=csv&from=${at(100).toISOString()}&to=${at(101).toISOString()}`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/text\/csv/)
    const [header, row] = res.body.split('\r\n')
    expect(header).toBe(
      'id,occurredAt,service,action,outcome,actorId,actorOrganisation,actorRoles,actorOnBehalfOf,subject,resourceType,resourceId,requestId,clientIp,userAgent,purpose',
    )
    expect(row).toContain(`"'=HYPERLINK(""http://evil"")"`)
    expect(res.body).toContain('"Mozilla/5.0 (X11, ""quoted"")\nsecond line"')
  })

  it('is audited before the first byte', async () => {
    const before = await h.db
      .selectFrom('audit.events')
      .select('id')
      .where('action', '=', 'audit.export')
      .execute()
    await exportOf('?format=csv&organisation=nobody-here')
    const after = await h.db
      .selectFrom('audit.events')
      .select('id')
      .where('action', '=', 'audit.export')
      .execute()
    expect(after.length).toBe(before.length + 1)
  })

  it('refuses an unknown format', async () => {
    const res = await exportOf('?format=xlsx')
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toEqual([expect.objectContaining({ pointer: '/format' })])
  })
})

describe('only auditors (and for the subject report privacy officers) read the log', () => {
  const tokens = () => ({
    auditor: h.auditor,
    privacy_officer: h.privacyOfficer,
    admin: h.token({ sub: 'admin-1', roles: ['admin'] }),
    professional: h.token({ sub: 'pro-1', org: 'school-a', roles: ['professional'] }),
    system: h.token({ sub: 'sys-1', org: 'police-a', roles: ['system'] }),
  })
  const routes: { method: 'GET' | 'POST'; url: string; body?: object; allowed: string[] }[] = [
    { method: 'GET', url: '/v1/audit/events', allowed: ['auditor'] },
    {
      method: 'GET',
      url: `/v1/audit/counts?from=${at(0).toISOString()}&to=${at(1).toISOString()}`,
      allowed: ['auditor'],
    },
    { method: 'GET', url: '/v1/audit/export?format=ndjson&organisation=nobody-here', allowed: ['auditor'] },
    { method: 'GET', url: '/v1/audit/verify', allowed: ['auditor'] },
    { method: 'GET', url: '/v1/audit/checkpoints', allowed: ['auditor'] },
    {
      method: 'POST',
      url: '/v1/audit/subject-report',
      body: { bsn: generateBsn(3) },
      allowed: ['auditor', 'privacy_officer'],
    },
  ]
  const cases = routes.flatMap((route) =>
    ['auditor', 'privacy_officer', 'admin', 'professional', 'system'].map((role) => ({ ...route, role })),
  )

  it.each(cases)('$method $url as $role', async ({ method, url, body, allowed, role }) => {
    const token = tokens()[role as keyof ReturnType<typeof tokens>]
    const res = await h.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body ? { payload: body } : {}),
    })
    if (allowed.includes(role)) {
      expect(res.statusCode).toBe(200)
      return
    }
    expect(res.statusCode).toBe(403)
    expect(res.json()).toMatchObject({ code: 'forbidden' })
    const denied = await h.db
      .selectFrom('audit.events')
      .selectAll()
      .where('requestId', '=', String(res.headers['x-request-id']))
      .execute()
    expect(denied).toEqual([expect.objectContaining({ action: 'access.denied', outcome: 'denied' })])
  })

  it('without a token: 401, and nothing served', async () => {
    for (const route of routes) {
      const res = await h.app.inject({
        method: route.method,
        url: route.url,
        ...(route.body ? { payload: route.body } : {}),
      })
      expect(res.statusCode).toBe(401)
    }
  })
})

describe('OpenAPI', () => {
  it('documents every audit route with an operationId', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/json' })
    expect(res.statusCode).toBe(200)
    const operations = Object.values(
      res.json().paths as Record<string, Record<string, { operationId?: string }>>,
    )
      .flatMap((methods) => Object.values(methods).map((op) => op.operationId))
      .filter((id) => id !== 'live' && id !== 'ready')
    expect(operations.sort()).toEqual([
      'countAuditEvents',
      'exportAuditEvents',
      'listAuditCheckpoints',
      'listAuditEvents',
      'subjectAccessReport',
      'verifyAuditChain',
    ])
  })
})
