import { generateBsn, signToken, TEST_JWT_SECRET, waitFor } from '@verwijsindex/shared/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  auth,
  type MatchHarness,
  professional,
  registerChild,
  seedEindhoven,
  startMatchService,
} from './helpers.js'

/** Holes found by an attacker's read of the running index (issue 12), each closed and kept closed here. */
let h: MatchHarness
beforeAll(async () => {
  h = await startMatchService()
  await seedEindhoven(h)
})
afterAll(() => h.close())

const get = (url: string, token: string) => h.app.inject({ method: 'GET', url, headers: auth(token) })
const pro = (org: string, extra = {}) => h.token(professional(org, extra))
const deniedCount = async () =>
  Number(
    (
      await sql<{ n: string }>`select count(*) as n from audit.events where action = 'access.denied'`.execute(
        h.db,
      )
    ).rows[0]?.n,
  )
const countRows = async (table: string) =>
  Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(h.db)).rows[0]?.n)

describe('a party that left a match', () => {
  it('reads it no longer: 404, audited, and it is gone from its list', async () => {
    const bsn = generateBsn(7101)
    const school = (await registerChild(h, { org: 'school-a', bsn })).json()
    await registerChild(h, { org: 'police-a', bsn })
    const bjz = (await registerChild(h, { org: 'bjz-a', bsn })).json()
    const matchId = bjz.matchId as string
    expect((await get(`/v1/matches/${matchId}`, pro('school-a'))).statusCode).toBe(200)
    const withdrawn = await h.app.inject({
      method: 'POST',
      url: `/v1/registrations/${school.id}/withdraw`,
      headers: auth(pro('school-a')),
      payload: { reason: 'resolved' },
    })
    expect(withdrawn.statusCode).toBe(200)
    const before = await deniedCount()
    const read = await get(`/v1/matches/${matchId}`, pro('school-a'))
    expect(read.statusCode).toBe(404)
    expect(await deniedCount()).toBe(before + 1)
    const list = (await get('/v1/matches', pro('school-a'))).json()
    expect(list.items.map((m: { id: string }) => m.id)).not.toContain(matchId)
    // The parties still involved keep reading it.
    expect((await get(`/v1/matches/${matchId}`, pro('police-a'))).statusCode).toBe(200)
  })
})

describe('bad input never gets a 500', () => {
  const forged = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url')
  it.each([
    ['/v1/matches', { createdAt: 'x', id: 'y' }],
    ['/v1/matches', { createdAt: '2026-01-01T00:00:00Z', id: 'not-a-uuid' }],
    ['/v1/registrations', { createdAt: '0000-01-01T00:00:00Z', id: '5b0c6a4e-6f0e-4b7a-9d55-0c8a5f0e2a11' }],
    ['/v1/organisations', { id: 'x' }],
    ['/v1/regions', ['eindhoven']],
  ])('a forged cursor on %s is a 400 naming /cursor', async (url, key) => {
    const res = await get(`${url}?cursor=${forged(key)}`, pro('school-a'))
    expect(res.statusCode).toBe(400)
    expect(res.json().errors[0].pointer).toBe('/cursor')
  })

  it('a region version beyond what the database holds is a 400', async () => {
    const res = await get('/v1/regions/eindhoven?version=2147483648', pro('school-a'))
    expect(res.statusCode).toBe(400)
    expect(res.json().errors[0].pointer).toBe('/version')
  })

  it.each([
    [
      'NUL in an organisation name',
      'POST',
      '/v1/organisations',
      'admin',
      { id: 'nul-org', name: 'A\u0000B', sector: 'amw', region: 'eindhoven', email: 'a@b.example' },
      '/name',
    ],
    ['a lone surrogate in a region name', 'PUT', '/v1/regions/eindhoven', 'admin', 'surrogate', '/name'],
    [
      'CR/LF in a contact name',
      'POST',
      '/v1/registrations',
      'pro',
      {
        bsn: generateBsn(7102),
        birthDate: '2016-05-10',
        kind: 'concern',
        contact: { name: 'Jan\r\nBcc: x@evil.example', email: 'j@a.example', phone: '040 123 4567' },
      },
      '/contact/name',
    ],
    [
      'text after a phone number',
      'POST',
      '/v1/registrations',
      'pro',
      {
        bsn: generateBsn(7103),
        birthDate: '2016-05-10',
        kind: 'concern',
        contact: { name: 'Jan', email: 'j@a.example', phone: '040 123 4567 call me' },
      },
      '/contact/phone',
    ],
  ] as const)(
    '%s is a 400 naming the field, and stores nothing',
    async (_name, method, url, who, body, pointer) => {
      let payload: unknown = body
      if (body === 'surrogate') {
        const preset = (await get('/v1/regions/eindhoven', pro('school-a'))).json().document
        payload = { ...preset, name: 'Eindhoven \ud800' }
      }
      const before = await countRows('match.registrations')
      const versions = await countRows('match.region_versions')
      const res = await h.app.inject({
        method,
        url,
        headers: auth(who === 'admin' ? h.admin : pro('school-a')),
        payload: payload as object,
      })
      expect(res.statusCode).toBe(400)
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/)
      expect(res.json().errors[0].pointer).toBe(pointer)
      expect(await countRows('match.registrations')).toBe(before)
      expect(await countRows('match.region_versions')).toBe(versions)
    },
  )
})

describe('token claims', () => {
  it('refuses an email claim with CR/LF, a phone with text and a NUL in sub with 401', async () => {
    for (const extra of [
      { email: 'pro@school-a.example\r\nBcc: spy@evil.example' },
      { phone: '+31 6 1234 5678\r\nCall me instead' },
      { sub: 'pro\u0000x' },
      { name: 'Jan\u0007' },
    ]) {
      const res = await get('/v1/registrations', pro('school-a', extra))
      expect(res.statusCode, JSON.stringify(extra)).toBe(401)
    }
  })

  it('refuses a token without exp, one living longer than the maximum, and one issued in the future', async () => {
    const now = h.clock.now()
    const iat = Math.floor(now.getTime() / 1000)
    const noExp = signToken({ ...professional('school-a'), exp: undefined } as never, TEST_JWT_SECRET, {
      now,
    })
    const tooLong = signToken(professional('school-a'), TEST_JWT_SECRET, { now, expiresInSeconds: 13 * 3600 })
    const future = signToken({ ...professional('school-a'), iat: iat + 600 }, TEST_JWT_SECRET, { now })
    for (const token of [noExp, tooLong, future]) {
      expect((await get('/v1/registrations', token)).statusCode).toBe(401)
    }
    const skewed = signToken({ ...professional('school-a'), iat: iat + 30 }, TEST_JWT_SECRET, { now })
    expect((await get('/v1/registrations', skewed)).statusCode).toBe(200)
  })

  it('refuses a token in the query string with 400 and keeps it out of the log', async () => {
    const logged = await startMatchService({ logLevel: 'info' })
    try {
      const token = logged.token(professional('school-a'))
      const res = await logged.app.inject({ method: 'GET', url: `/v1/registrations?access_token=${token}` })
      expect(res.statusCode).toBe(400)
      expect(logged.logs.join('\n')).not.toContain(token.split('.')[1])
    } finally {
      await logged.close()
    }
  })
})

describe('externalReference', () => {
  it.each(['111222333', '111-222-333', 'LLN 111.222.333', 'LLN-111.222.333'])(
    'refuses %j: it holds a BSN',
    async (ref) => {
      const res = await registerChild(h, {
        org: 'school-a',
        bsn: generateBsn(7110),
        body: { externalReference: ref },
      })
      expect(res.statusCode).toBe(400)
      expect(res.json().errors[0].pointer).toBe('/externalReference')
    },
  )

  it.each(['LLN-2041', '202611122233', 'case/2026.07_1'])('accepts %j', async (ref) => {
    const res = await registerChild(h, {
      org: 'school-b',
      bsn: generateBsn(7111 + ref.length),
      body: { externalReference: ref },
    })
    expect(res.statusCode).toBe(201)
  })
})

describe('Idempotency-Key', () => {
  it('is scoped to the organisation: one professional for two organisations gets two answers', async () => {
    const bsn = generateBsn(7120)
    const same = { sub: 'pro-shared' }
    const a = await registerChild(h, {
      org: 'amw-eindhoven',
      bsn,
      token: pro('amw-eindhoven', same),
      headers: { 'idempotency-key': 'k-1' },
    })
    const b = await registerChild(h, {
      org: 'cjg-eindhoven',
      bsn,
      token: pro('cjg-eindhoven', same),
      headers: { 'idempotency-key': 'k-1' },
    })
    expect(a.statusCode).toBe(201)
    expect(b.statusCode).toBe(201)
    expect(b.headers['idempotent-replayed']).toBeUndefined()
    expect(b.json().organisation.id).toBe('cjg-eindhoven')
    expect(a.json().id).not.toBe(b.json().id)
  })
})

describe('responses with personal data', () => {
  it('carry Cache-Control: no-store', async () => {
    const res = await get('/v1/registrations', pro('school-a'))
    expect(res.headers['cache-control']).toBe('no-store')
  })
})

describe('the rate limit', () => {
  it('counts refused requests too, before any database work: 429s write no audit row each', async () => {
    const limited = await startMatchService({ env: { RATE_LIMIT_PER_MINUTE: '3' } })
    try {
      const rows = async (action: string) =>
        Number(
          (
            await sql<{ n: string }>`select count(*) as n from audit.events where action = ${action}`.execute(
              limited.db,
            )
          ).rows[0]?.n,
        )
      // A valid token with the wrong role: 403 and an access.denied each, until the limit.
      const wrongRole = limited.token(professional('school-a'))
      const statuses: number[] = []
      for (let i = 0; i < 8; i++) {
        const res = await limited.app.inject({
          method: 'PUT',
          url: '/v1/regions/flood',
          headers: auth(wrongRole),
          payload: {},
        })
        statuses.push(res.statusCode)
        if (res.statusCode === 429) {
          expect(res.headers['retry-after']).toBeDefined()
          expect(res.headers['ratelimit-limit']).toBe('3')
          expect(res.headers['ratelimit-remaining']).toBe('0')
          expect(res.headers['content-type']).toMatch(/application\/problem\+json/)
        }
      }
      expect(statuses).toEqual([403, 403, 403, 429, 429, 429, 429, 429])
      expect(await rows('access.denied')).toBe(3)
      await waitFor(async () => (await rows('access.rate_limited')) >= 1, { what: 'the rate_limited event' })
      expect(await rows('access.rate_limited')).toBe(1)
      // Without a valid token: limited by address, never audited.
      const bad = []
      for (let i = 0; i < 5; i++) {
        bad.push(
          (await limited.app.inject({ method: 'GET', url: '/v1/registrations', headers: auth('x.y.z') }))
            .statusCode,
        )
      }
      expect(bad).toEqual([401, 401, 401, 429, 429])
      expect(await rows('access.rate_limited')).toBe(1)
    } finally {
      await limited.close()
    }
  })
})
