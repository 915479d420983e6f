import { randomUUID } from 'node:crypto'
import { professional } from '@verwijsindex/shared/testing'
import fc from 'fast-check'
import type { HTTPMethods, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BIRTH_DATE,
  changesSince,
  child,
  installWriteCounter,
  type Service,
  startWorld,
  tablesDigest,
  type World,
  writeMark,
} from './world.js'

/**
 * Property-based fuzzing of every route's body, query and parameters (issue 12): valid requests broken in
 * every way fast-check can think of. Whatever comes in, the answer is never a 5xx, every error is an RFC
 * 9457 problem with a JSON Pointer where a field is at fault, and a refused request changes no row in any
 * table (its own access.denied aside). Routes come from the services' own route tables, grouped in
 * families by path, so a new route is fuzzed without anyone adding it here.
 *
 * `npm test`: FUZZ_RUNS (500) cases per family, seed FUZZ_SEED (fixed). `npm run fuzz`: 2,500 per family
 * (20,000+ in all) with a random seed, printed so a failure can be replayed.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 500)
const SEED =
  process.env.FUZZ_SEED === 'random'
    ? Date.now() ^ (Math.random() * 2 ** 31)
    : Number(process.env.FUZZ_SEED ?? 20260302)
if (process.env.FUZZ_SEED === 'random')
  process.stdout.write(`fuzz seed: ${SEED} (replay with FUZZ_SEED=${SEED})\n`)

let w: World
beforeAll(async () => {
  w = await startWorld()
  await installWriteCounter(w.db)
}, 120_000)
afterAll(() => w?.close())

type Route = ReturnType<World['routes']>[number]

function familyOf(route: Route): string {
  const parts = route.url.split('/').filter(Boolean)
  if (parts[1] === 'audit') return parts[2] === 'subject-report' ? 'audit reports' : 'audit queries'
  if (parts[1] === 'matches') return 'matches and coordination'
  if (parts[1] === 'notifications' || parts[1] === 'webhooks') return 'notifications and webhooks'
  return parts[1] ?? route.url
}

/** A request each route accepts (or nearly): what the breaking starts from. */
function validBody(route: Route): Record<string, unknown> | undefined {
  const u = route.url
  if (u === '/v1/excluded-addresses' && route.method !== 'GET')
    return { postcode: '5611 AB', houseNumber: '12' }
  if (route.method === 'GET' || route.method === 'DELETE') return undefined
  if (u === '/v1/registrations') return { bsn: child(40), birthDate: BIRTH_DATE, kind: 'concern' }
  if (u.endsWith('/withdraw')) return { reason: 'resolved' }
  if (u.endsWith('/history')) return { purpose: 'assessment' }
  if (u === '/v1/registrations/:id') return { durationDays: 200 }
  if (u.endsWith('/decline')) return { reason: 'no_capacity' }
  if (u.endsWith('/transfer')) return { organisation: 'police-a' }
  if (u.endsWith('/escalate')) return { reason: 'no_contact' }
  if (u.endsWith('/explain'))
    return { ageYears: 10, parties: [{ sector: 'school-po' }, { sector: 'police' }] }
  if (u === '/v1/organisations')
    return { id: 'fuzz-org', name: 'Fuzz', sector: 'amw', region: 'eindhoven', email: 'a@b.example' }
  if (u === '/v1/organisations/:id') return { name: 'Renamed' }
  if (u === '/v1/regions/:code') return { name: 'Fuzzland', municipalities: [], rules: [] }
  if (u.startsWith('/v1/subjects/')) return { bsn: child(41), reason: 'error' }
  if (u === '/v1/webhooks') return { url: 'https://hooks.example.org/x' }
  if (u.endsWith('/subject-report')) return { bsn: child(1) }
  return {}
}

function tokenFor(route: Route): string {
  const role = (route.roles?.[0] ?? 'professional') as string
  if (role === 'professional' || role === 'system')
    return w.token(professional('school-a', { roles: [role as 'professional'] }))
  return w.token({ sub: `fuzz-${role}`, roles: [role as 'admin'] })
}

function paramValue(route: Route, name: string): string {
  if (name === 'code') return 'eindhoven'
  if (route.url.startsWith('/v1/registrations')) return w.ids.registration
  if (route.url.startsWith('/v1/matches')) return w.ids.match
  if (route.url.startsWith('/v1/notifications')) return w.ids.notification
  if (route.url.startsWith('/v1/organisations')) return 'police-a'
  return randomUUID()
}

function shapeKeys(schema: unknown): string[] {
  const s = schema as
    | { shape?: Record<string, unknown>; def?: { in?: { shape?: Record<string, unknown> } } }
    | undefined
  return Object.keys(s?.shape ?? s?.def?.in?.shape ?? {})
}

// Values no field wants: control characters, NUL, lone surrogates, huge strings, out-of-range numbers and
// dates, wrong types, nesting.
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udc00y',
    '\r\nBcc: x@evil.example',
    '\u001b[31m',
    '\u2028',
  ),
  fc.constantFrom(
    '0000-01-01',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999999Z',
    '+275760-09-13T00:00:00Z',
    '2026-02-30',
    '-1',
  ),
  fc.constantFrom(2147483648, -2147483649, 9007199254740992, 1e308, -0, 0.5, Number.MAX_SAFE_INTEGER),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('a'.repeat(5_000), '9'.repeat(400)),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
)
const forgedCursor = fc.oneof(
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
  fc.record({ createdAt: nasty, id: nasty }).map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
  fc.tuple(nasty, nasty).map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
  fc.string({ unit: 'binary', maxLength: 60 }),
)
const asQueryValue = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))

type Mutation =
  | { kind: 'field'; key: number; value: unknown }
  | { kind: 'drop'; key: number }
  | { kind: 'extra'; name: string; value: unknown }
  | { kind: 'body'; value: unknown }
  | { kind: 'query'; key: number; value: unknown }
  | { kind: 'cursor'; value: string }
  | { kind: 'param'; value: string }
  | { kind: 'contentType'; type: string }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('field' as const), key: fc.nat(), value: nasty }),
  fc.record({ kind: fc.constant('drop' as const), key: fc.nat() }),
  fc.record({ kind: fc.constant('extra' as const), name: fc.string({ maxLength: 12 }), value: nasty }),
  fc.record({ kind: fc.constant('body' as const), value: nasty }),
  fc.record({ kind: fc.constant('query' as const), key: fc.nat(), value: nasty }),
  fc.record({ kind: fc.constant('cursor' as const), value: forgedCursor }),
  fc.record({
    kind: fc.constant('param' as const),
    value: fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), nasty.map(asQueryValue)),
  }),
  fc.record({
    kind: fc.constant('contentType' as const),
    type: fc.constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/xml',
      'multipart/form-data',
    ),
  }),
)

/** Percent-encoding that a lone surrogate cannot break: its bytes as a client would send them. */
function pct(value: string): string {
  try {
    return encodeURIComponent(value)
  } catch {
    return [...Buffer.from(value)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')
  }
}

function buildRequest(route: Route, m: Mutation) {
  let body = validBody(route)
  const query: Record<string, string> = {}
  const keys = [...new Set([...shapeKeys(route.schema?.body), ...Object.keys(body ?? {})])]
  const queryKeys = [...new Set([...shapeKeys(route.schema?.querystring), 'cursor', 'limit'])]
  let contentType: string | undefined
  let url = route.url.replace(/:(\w+)/g, (_, name: string) => pct(paramValue(route, name)))
  if (m.kind === 'field' && keys.length)
    body = { ...(body ?? {}), [keys[m.key % keys.length] as string]: m.value }
  if (m.kind === 'drop' && body && keys.length) {
    const { [keys[m.key % keys.length] as string]: _, ...rest } = body
    body = rest
  }
  if (m.kind === 'extra') body = { ...(body ?? {}), [m.name]: m.value }
  if (m.kind === 'body') body = m.value as Record<string, unknown>
  if (m.kind === 'query') query[queryKeys[m.key % queryKeys.length] as string] = asQueryValue(m.value)
  if (m.kind === 'cursor') query.cursor = m.value
  if (m.kind === 'param' && route.url.includes(':')) {
    url = route.url.replace(/:(\w+)/, pct(m.value)).replace(/:(\w+)/g, (_, n: string) => paramValue(route, n))
  }
  if (m.kind === 'contentType') contentType = m.type
  const search = Object.entries(query)
    .map(([k, v]) => `${pct(k)}=${pct(v)}`)
    .join('&')
  return { url: search ? `${url}?${search}` : url, body, contentType }
}

interface Tally {
  cases: number
  serverErrors: string[]
  badProblems: string[]
  refusedWrites: string[]
  successes: number
}

async function attack(service: Service, route: Route, m: Mutation, tally: Tally): Promise<void> {
  const { url, body, contentType } = buildRequest(route, m)
  const mark = await writeMark(w.db)
  const payload = contentType && body !== undefined ? JSON.stringify(body) : body
  const res: LightMyRequestResponse = await w.apps[service].inject({
    method: route.method as HTTPMethods,
    url,
    headers: {
      authorization: `Bearer ${tokenFor(route)}`,
      ...(contentType ? { 'content-type': contentType } : {}),
    },
    ...(payload !== undefined && route.method !== 'GET' && route.method !== 'DELETE'
      ? { payload: payload as string }
      : {}),
  })
  tally.cases++
  const what = `${route.key} ${JSON.stringify(m).slice(0, 300)} → ${res.statusCode} ${res.body.slice(0, 300)}`
  if (res.statusCode >= 500) tally.serverErrors.push(what)
  if (res.statusCode < 400) {
    tally.successes++
    return
  }
  const problem = (() => {
    try {
      return res.json() as { code?: string; errors?: { pointer?: unknown }[] }
    } catch {
      return undefined
    }
  })()
  if (!String(res.headers['content-type']).startsWith('application/problem+json') || !problem?.code) {
    tally.badProblems.push(`not a problem: ${what}`)
  } else if (
    problem.code === 'validation_failed' &&
    !(problem.errors?.length && problem.errors.every((e) => typeof e.pointer === 'string'))
  ) {
    tally.badProblems.push(`no pointer: ${what}`)
  }
  const changed = await changesSince(w.db, mark)
  if (changed.writes !== 0 || changed.other !== 0 || changed.denied > 1) {
    tally.refusedWrites.push(`${JSON.stringify(changed)}: ${what}`)
  }
}

const families = () => {
  const byFamily = new Map<string, Route[]>()
  for (const route of w.routes()) {
    const family = familyOf(route)
    byFamily.set(family, [...(byFamily.get(family) ?? []), route])
  }
  return byFamily
}

describe('fuzzing every route', () => {
  const totals: Tally = { cases: 0, serverErrors: [], badProblems: [], refusedWrites: [], successes: 0 }

  it('groups the routes into families, every route in one', () => {
    const all = families()
    expect([...all.values()].flat().length).toBe(w.routes().length)
    expect(all.size).toBeGreaterThanOrEqual(8)
  })

  // The families are known only once the services run; each is one property, RUNS cases.
  it('never answers 5xx, always with a problem, and a refusal changes nothing', async () => {
    for (const [family, routes] of families()) {
      const tally: Tally = { cases: 0, serverErrors: [], badProblems: [], refusedWrites: [], successes: 0 }
      const before = await tablesDigest(w.db)
      await fc.assert(
        fc.asyncProperty(fc.nat(routes.length - 1), mutation, async (i, m) => {
          const route = routes[i] as Route
          await attack(route.service, route, m, tally)
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      )
      // Once per family, the whole tables: unchanged when every case in it was refused.
      if (tally.successes === 0) expect(await tablesDigest(w.db), family).toBe(before)
      totals.cases += tally.cases
      totals.successes += tally.successes
      totals.serverErrors.push(...tally.serverErrors)
      totals.badProblems.push(...tally.badProblems)
      totals.refusedWrites.push(...tally.refusedWrites)
      process.stdout.write(
        `fuzz ${family}: ${tally.cases} cases, ${tally.serverErrors.length} 5xx, ${tally.refusedWrites.length} refused-with-writes, ${tally.successes} accepted\n`,
      )
    }
    process.stdout.write(
      `fuzz total: ${totals.cases} cases, ${totals.serverErrors.length} 5xx, ${totals.refusedWrites.length} writes from refused requests (seed ${SEED})\n`,
    )
    expect(totals.serverErrors.slice(0, 10)).toEqual([])
    expect(totals.badProblems.slice(0, 10)).toEqual([])
    expect(totals.refusedWrites.slice(0, 10)).toEqual([])
    expect(totals.cases).toBeGreaterThanOrEqual(RUNS * 8)
  }, 600_000)
})
