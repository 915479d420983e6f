import { createHmac } from 'node:crypto'
import { signToken, TEST_JWT_SECRET } from '@verwijsindex/shared/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type MatchHarness, professional, seedEindhoven, startMatchService } from './helpers.js'

let h: MatchHarness
beforeAll(async () => {
  h = await startMatchService({ logLevel: 'trace' })
  await seedEindhoven(h)
})
afterAll(() => h.close())

const get = (url: string, token?: string) =>
  h.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} })

const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url')

describe('tokens', () => {
  it('accepts a valid professional token', async () => {
    const res = await get('/v1/organisations', h.token(professional('school-a')))
    expect(res.statusCode).toBe(200)
  })

  it.each([
    ['missing', () => undefined, /bearer token is required/i],
    [
      'expired',
      () =>
        signToken(professional('school-a'), TEST_JWT_SECRET, {
          now: new Date(h.clock.now().getTime() - 7200_000),
        }),
      /expired/,
    ],
    [
      'tampered',
      () => {
        const [header, , sig] = signToken(professional('school-a'), TEST_JWT_SECRET).split('.')
        return `${header}.${b64({ ...professional('bjz-a'), exp: 9999999999 })}.${sig}`
      },
      /not valid/,
    ],
    [
      'signed with another secret',
      () => signToken(professional('school-a'), 'another-secret-that-is-long-enough-xx'),
      /not valid/,
    ],
    [
      'alg none',
      () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...professional('school-a'), exp: 9999999999 })}.`,
      /not valid/,
    ],
    [
      'HS512 instead of HS256',
      () => {
        const head = b64({ alg: 'HS512', typ: 'JWT' })
        const body = b64({ ...professional('school-a'), exp: 9999999999 })
        const sig = createHmac('sha512', TEST_JWT_SECRET).update(`${head}.${body}`).digest('base64url')
        return `${head}.${body}.${sig}`
      },
      /not valid/,
    ],
    ['not a JWT', () => 'hello', /not valid/],
    ['professional without org', () => h.token({ sub: 'x', roles: ['professional'] }), /org/],
    ['operator role with org', () => h.token({ sub: 'x', roles: ['admin'], org: 'school-a' }), /org/],
    ['unknown role', () => h.token({ sub: 'x', roles: ['superuser' as never] }), /roles/],
  ])('%s answers 401 problem', async (_name, makeToken, detail) => {
    const res = await get('/v1/organisations', makeToken())
    expect(res.statusCode).toBe(401)
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/)
    expect(res.json()).toMatchObject({ status: 401, code: 'unauthorized', title: expect.any(String) })
    expect(res.json().detail).toMatch(detail)
  })

  it('a wrong role answers 403 and is audited as access.denied', async () => {
    const token = h.token(professional('school-a'))
    const res = await h.app.inject({
      method: 'PUT',
      url: '/v1/regions/elsewhere',
      headers: { authorization: `Bearer ${token}` },
      payload: {},
    })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toMatchObject({ code: 'forbidden', status: 403 })
    const denied = await h.db
      .selectFrom('audit.events')
      .selectAll()
      .where('action', '=', 'access.denied')
      .where('resourceId', '=', 'PUT /v1/regions/:code')
      .execute()
    expect(denied).toHaveLength(1)
    expect(denied[0]).toMatchObject({
      outcome: 'denied',
      actorId: 'pro-school-a',
      actorOrganisation: 'school-a',
    })
  })

  it('an unknown or deactivated organisation answers 403', async () => {
    expect((await get('/v1/organisations', h.token(professional('nobody')))).statusCode).toBe(403)
    const off = await h.app.inject({
      method: 'PATCH',
      url: '/v1/organisations/police-a',
      headers: { authorization: `Bearer ${h.admin}` },
      payload: { active: false },
    })
    expect(off.statusCode).toBe(200)
    const res = await get('/v1/organisations', h.token(professional('police-a')))
    expect(res.statusCode).toBe(403)
    expect(res.json().detail).toMatch(/deactivated/)
  })
})

describe('problems (RFC 9457)', () => {
  it('an unknown route is a 404 problem', async () => {
    const res = await get('/v1/nothing-here', h.admin)
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/)
    expect(res.json()).toMatchObject({
      type: expect.stringContaining('not-found'),
      status: 404,
      code: 'not_found',
    })
  })

  it('a schema violation is a 400 naming each field by JSON pointer, and changes nothing', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/organisations',
      headers: { authorization: `Bearer ${h.admin}` },
      payload: {
        id: 'Not A Slug',
        name: 'x',
        sector: 'bakery',
        region: 'eindhoven',
        email: 'nope',
        notes: 'free text',
      },
    })
    expect(res.statusCode).toBe(400)
    const body = res.json()
    expect(body.code).toBe('validation_failed')
    const pointers = body.errors.map((e: { pointer: string }) => e.pointer)
    expect(pointers).toEqual(expect.arrayContaining(['/id', '/sector', '/email', '/notes']))
    const count = await h.db
      .selectFrom('match.organisations')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
    expect(Number(count.n)).toBe(9)
  })

  it('a body that is not JSON is a 400 problem', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/organisations',
      headers: { authorization: `Bearer ${h.admin}`, 'content-type': 'application/json' },
      payload: '{"id": ',
    })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'bad_request', status: 400 })
  })

  it('a rule violation is a 422 pointing at the field', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/organisations',
      headers: { authorization: `Bearer ${h.admin}` },
      payload: { id: 'orphan', name: 'x', sector: 'amw', region: 'atlantis', email: 'a@b.example' },
    })
    expect(res.statusCode).toBe(422)
    expect(res.json()).toMatchObject({ code: 'unprocessable', errors: [{ pointer: '/region' }] })
  })

  it('echoes a request id, or makes one', async () => {
    const given = await h.app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'trace-abc-123' },
    })
    expect(given.headers['x-request-id']).toBe('trace-abc-123')
    const made = await h.app.inject({ method: 'GET', url: '/health/live' })
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })
})

describe('logs', () => {
  it('a request carrying a BSN, birth date and address leaves none of them in the log output', async () => {
    const secrets = {
      bsn: '111222333',
      birthDate: '2015-06-01',
      household: { postcode: '5611AB', houseNumber: '12' },
    }
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/organisations',
      headers: { authorization: `Bearer ${h.admin}` },
      payload: { ...secrets, nested: { bsn: '111222333' } },
    })
    expect(res.statusCode).toBe(400)
    h.app.log.info(
      { body: secrets, deeper: { a: { b: { bsn: '111222333', postcode: '5611AB' } } } },
      'explicit log',
    )
    h.app.log.info({ req: { headers: { authorization: 'Bearer secret-token' } } }, 'header log')
    const output = h.logs.join('\n')
    expect(output).toContain('explicit log')
    expect(output.length).toBeGreaterThan(500)
    for (const forbidden of ['111222333', '2015-06-01', '5611AB', 'secret-token']) {
      expect(output).not.toContain(forbidden)
    }
  })
})
