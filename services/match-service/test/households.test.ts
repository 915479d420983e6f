import { householdKey, ORGANISATION_ROLES, ROLES } from '@verwijsindex/shared'
import { generateBsn, TEST_SUBJECT_KEY_SECRET } from '@verwijsindex/shared/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tellHouseholdsDue } from '../src/use-cases/household-links.js'
import {
  auth,
  type MatchHarness,
  professional,
  queuedEvents,
  registerChild,
  seedEindhoven,
  startMatchService,
} from './helpers.js'

/**
 * Household links, and the probe they allow (issue 12, hole 10): links show to a registration one working
 * day after it was made (at once in a match), the organisations involved are told at once, a quick
 * withdrawal is flagged, and addresses on the admin's register of excluded addresses never link.
 */
let h: MatchHarness
beforeAll(async () => {
  h = await startMatchService()
  await seedEindhoven(h)
})
afterAll(() => h.close())

let seed = 3000
const MONDAY = '2026-03-02T09:00:00Z'
const get = (org: string, url: string) =>
  h.app.inject({ method: 'GET', url, headers: auth(h.token(professional(org))) })
const withdraw = (org: string, id: string) =>
  h.app.inject({
    method: 'POST',
    url: `/v1/registrations/${id}/withdraw`,
    headers: auth(h.token(professional(org))),
    payload: { reason: 'error' },
  })
const household = (org: string, id: string) => get(org, `/v1/registrations/${id}/household`)
const linkedOrgs = (res: { json(): { households: { parties: { organisation: { id: string } }[] }[] } }) =>
  res.json().households.flatMap((x) => x.parties.map((p) => p.organisation.id))

async function register(org: string, address: object | null, bsn = generateBsn(seed++), birthDate?: string) {
  const res = await registerChild(h, {
    org,
    bsn,
    ...(birthDate ? { birthDate } : {}),
    ...(address ? { body: { household: address } } : {}),
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string; matchId: string | null }
}

/** The household.linked events about one registration, as [organisation, told] per party. */
async function linkedEvents(registrationId: string) {
  type Party = { organisation: { id: string }; told?: boolean }
  return (await queuedEvents(h))
    .filter((e) => e.type === 'household.linked' && e.registrationId === registrationId)
    .map((e) => (e.parties as Party[]).map((p) => [p.organisation.id, p.told ?? true]))
}

async function auditCount(action: string, resourceId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from audit.events
    where action = ${action} and resource_id = ${resourceId}`.execute(h.db)
  return rows[0]?.n ?? 0
}

async function probesMetric(): Promise<number> {
  const res = await h.app.inject({ method: 'GET', url: '/metrics' })
  return Number(/^verwijsindex_household_probes_suspected (\d+)$/m.exec(res.body)?.[1])
}

describe('household links', () => {
  it('show to a registration one working day after it was made; those involved are told at once', async () => {
    const address = { postcode: '5611 AB', houseNumber: '12' }
    h.clock.set(MONDAY)
    const older = generateBsn(seed++)
    const school = await register('school-a', address, older)
    const sameOrg = await register('school-a', { postcode: '5611AB', houseNumber: '12' })

    // The schedule ran when the school's links showed (09:00): nothing was linked yet.
    h.clock.set('2026-03-03T09:30:00Z')
    expect(await tellHouseholdsDue(h.app.matchContext, h.clock.now())).toBe(0)
    h.clock.set('2026-03-03T10:00:00Z')
    const zuidzorg = await register(
      'zuidzorg',
      { postcode: '5611ab', houseNumber: '12' },
      undefined,
      '2024-02-01',
    )
    // The school registered a working day ago: it sees the new registrant, and was told of it at once.
    expect(linkedOrgs(await household('school-a', school.id))).toEqual(['zuidzorg'])
    expect((await household('school-a', sameOrg.id)).json().households).toHaveLength(1)
    expect(await linkedEvents(zuidzorg.id)).toEqual([
      [
        ['zuidzorg', false],
        ['school-a', true],
        ['school-a', true],
      ],
    ])
    // The newcomer sees nothing yet, and is told when it will.
    expect((await household('zuidzorg', zuidzorg.id)).json()).toEqual({
      households: [],
      linksShowFrom: '2026-03-04T10:00:00.000Z',
    })
    expect(await tellHouseholdsDue(h.app.matchContext, h.clock.now())).toBe(0)

    // A working day later it sees them, and the schedule tells it (once); the school is not told again.
    h.clock.set('2026-03-04T10:00:00Z')
    expect(linkedOrgs(await household('zuidzorg', zuidzorg.id))).toEqual(['school-a', 'school-a'])
    expect(await tellHouseholdsDue(h.app.matchContext, h.clock.now())).toBe(1)
    expect(await tellHouseholdsDue(h.app.matchContext, h.clock.now())).toBe(0)
    expect((await linkedEvents(zuidzorg.id))[1]).toEqual([
      ['zuidzorg', true],
      ['school-a', false],
      ['school-a', false],
    ])
    expect(await auditCount('household.told', zuidzorg.id)).toBe(1)
    expect(JSON.stringify(await queuedEvents(h))).not.toMatch(/5611|household_?key/i)

    // A match on the older child shows the household to its parties; links end with the registrations.
    const police = await register('police-a', null, older)
    expect((await get('school-a', `/v1/matches/${police.matchId}`)).json().households).toHaveLength(1)
    expect((await get('police-a', `/v1/matches/${police.matchId}`)).json().households).toEqual([])
    h.clock.set('2026-03-10T10:00:00Z')
    expect((await withdraw('zuidzorg', zuidzorg.id)).statusCode).toBe(200)
    expect((await household('school-a', school.id)).json().households).toEqual([])
  })

  it('show at once, and are told at once, when the registration is itself in a match', async () => {
    const address = { postcode: '5612 AA', houseNumber: '3' }
    h.clock.set(MONDAY)
    const older = generateBsn(seed++)
    await register('zuidzorg', address, undefined, '2024-02-01')
    await register('police-a', null, older)
    h.clock.set('2026-03-03T10:00:00Z')
    const school = await register('school-a', address, older)
    expect(school.matchId).not.toBeNull()
    expect(linkedOrgs(await household('school-a', school.id))).toEqual(['zuidzorg'])
    expect(await linkedEvents(school.id)).toEqual([
      [
        ['school-a', true],
        ['zuidzorg', true],
      ],
    ])
    h.clock.set('2026-03-04T10:00:00Z')
    await tellHouseholdsDue(h.app.matchContext, h.clock.now())
    expect(await linkedEvents(school.id)).toHaveLength(1)
  })

  it('count working days: a Friday registration sees its links on Monday', async () => {
    const address = { postcode: '5613 BB', houseNumber: '7' }
    h.clock.set(MONDAY)
    await register('zuidzorg', address, undefined, '2024-02-01')
    h.clock.set('2026-03-06T15:00:00Z')
    const police = await register('police-a', address)
    expect((await household('police-a', police.id)).json().linksShowFrom).toBe('2026-03-09T15:00:00.000Z')
    h.clock.set('2026-03-08T20:00:00Z')
    expect((await household('police-a', police.id)).json().households).toEqual([])
    h.clock.set('2026-03-09T15:00:00Z')
    expect(linkedOrgs(await household('police-a', police.id))).toEqual(['zuidzorg'])
  })
})

describe('a probe of a household address', () => {
  it('is flagged when withdrawn before its links have shown a working day, in the audit trail and metrics', async () => {
    const address = { postcode: '5614 CC', houseNumber: '9 b' }
    h.clock.set(MONDAY)
    await register('zuidzorg', address, undefined, '2024-02-01')
    const before = await probesMetric()

    // Register an invented child, wait for the links, read them, withdraw: flagged.
    h.clock.set('2026-03-03T10:00:00Z')
    const probe = await register('police-a', { postcode: '5614cc', houseNumber: '9B' })
    // The organisation probed was told of the prober at once.
    expect(await linkedEvents(probe.id)).toEqual([
      [
        ['police-a', false],
        ['zuidzorg', true],
      ],
    ])
    h.clock.set('2026-03-04T10:30:00Z')
    expect(linkedOrgs(await household('police-a', probe.id))).toEqual(['zuidzorg'])
    expect((await withdraw('police-a', probe.id)).statusCode).toBe(200)
    expect(await auditCount('household.probe_suspected', probe.id)).toBe(1)
    const { rows } = await sql<{ actor: string; org: string }>`select actor_id as actor,
      actor_organisation as org from audit.events where action = 'household.probe_suspected'
      and resource_id = ${probe.id}`.execute(h.db)
    expect(rows).toEqual([{ actor: 'pro-police-a', org: 'police-a' }])

    // Giving up before the links show is flagged too.
    const impatient = await register('cjg-eindhoven', address)
    h.clock.advance(3_600_000)
    expect((await withdraw('cjg-eindhoven', impatient.id)).statusCode).toBe(200)
    expect(await auditCount('household.probe_suspected', impatient.id)).toBe(1)
    expect(await probesMetric()).toBe(before + 2)

    // Not flagged: a registration withdrawn after its links showed a working day, or one without an address.
    h.clock.set('2026-03-04T16:00:00Z')
    const kept = await register('school-b', address)
    const noAddress = await register('amw-eindhoven', null)
    expect((await withdraw('amw-eindhoven', noAddress.id)).statusCode).toBe(200)
    h.clock.set('2026-03-06T16:00:00Z')
    expect((await withdraw('school-b', kept.id)).statusCode).toBe(200)
    expect(await auditCount('household.probe_suspected', kept.id)).toBe(0)
    expect(await auditCount('household.probe_suspected', noAddress.id)).toBe(0)
    expect(await probesMetric()).toBe(before + 2)
  })
})

describe('the register of excluded addresses', () => {
  const as = (
    token: string,
    method: 'PUT' | 'DELETE' | 'GET',
    payload?: object,
    url = '/v1/excluded-addresses',
  ) => h.app.inject({ method, url, headers: auth(token), ...(payload ? { payload } : {}) })
  const admin = () => h.admin
  const shelter = { postcode: '5615 DD', houseNumber: '1 a' }

  it('is the admin’s alone: every other role gets 403, audited', async () => {
    const denied = async () =>
      (
        await sql<{
          n: number
        }>`select count(*)::int as n from audit.events where action = 'access.denied'`.execute(h.db)
      ).rows[0]?.n ?? 0
    const tokens = ROLES.filter((r) => r !== 'admin').map((role) =>
      (ORGANISATION_ROLES as readonly string[]).includes(role)
        ? h.token({ ...professional('school-a'), roles: [role] })
        : h.token({ sub: `${role}-1`, roles: [role] }),
    )
    for (const token of tokens) {
      for (const [method, payload] of [
        ['PUT', shelter],
        ['DELETE', shelter],
        ['GET', undefined],
      ] as const) {
        const start = await denied()
        const res = await as(token, method, payload)
        expect(res.statusCode, `${method} ${res.body}`).toBe(403)
        expect(await denied()).toBe(start + 1)
      }
    }
    expect((await as(admin(), 'GET')).json().items).toEqual([])
  })

  it('refuses what is not a Dutch address, naming the field', async () => {
    for (const [payload, pointer] of [
      [{ postcode: '0123 AB', houseNumber: '1' }, '/postcode'],
      [{ postcode: '5615', houseNumber: '1' }, '/postcode'],
      [{ postcode: '5615 DD', houseNumber: '0' }, '/houseNumber'],
      [{ postcode: '5615 DD', houseNumber: '123456' }, '/houseNumber'],
      [{ postcode: '5615 DD', houseNumber: 1 }, '/houseNumber'],
      [{ postcode: '5615 DD' }, '/houseNumber'],
      [{ postcode: '5615 DD', houseNumber: '1', city: 'Eindhoven' }, '/city'],
    ] as const) {
      const res = await as(admin(), 'PUT', payload)
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
      expect(res.headers['content-type']).toMatch(/problem\+json/)
      expect(res.json().errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer)
    }
    const registration = await registerChild(h, {
      org: 'school-a',
      bsn: generateBsn(seed++),
      body: { household: { postcode: '5615 DD', houseNumber: '0' } },
    })
    expect(registration.json().errors[0].pointer).toBe('/household/houseNumber')
  })

  it('adds idempotently, keeps only the hash household addresses are kept as, and lists it', async () => {
    h.clock.set(MONDAY)
    const first = await as(admin(), 'PUT', shelter)
    expect(first.statusCode).toBe(201)
    const hash = householdKey('5615DD', '1A', TEST_SUBJECT_KEY_SECRET)
    expect(first.json()).toEqual({ hash, addedAt: '2026-03-02T09:00:00.000Z' })
    h.clock.advance(60_000)
    const again = await as(admin(), 'PUT', { postcode: '5615dd', houseNumber: '1-A' })
    expect(again.statusCode).toBe(200)
    expect(again.json()).toEqual(first.json())
    expect((await as(admin(), 'GET')).json()).toEqual({ items: [first.json()], nextCursor: null })
    const { rows } = await sql<{
      row: string
    }>`select t::text as row from match.excluded_addresses t`.execute(h.db)
    expect(rows.map((r) => r.row).join()).not.toMatch(/5615|DD/i)
    expect(await auditCount('excluded_address.add', hash)).toBe(2)
  })

  it('never links: links there stop showing, new ones are not made or told, and return on removal', async () => {
    const address = { postcode: '5616 EE', houseNumber: '20' }
    h.clock.set(MONDAY)
    const zuidzorg = await register('zuidzorg', address, undefined, '2024-02-01')
    h.clock.set('2026-03-03T10:00:00Z')
    const school = await register('school-a', address)
    expect(linkedOrgs(await household('zuidzorg', zuidzorg.id))).toEqual(['school-a'])

    expect((await as(admin(), 'PUT', address)).statusCode).toBe(201)
    expect((await household('zuidzorg', zuidzorg.id)).json().households).toEqual([])
    const police = await register('police-a', address)
    expect(await linkedEvents(police.id)).toEqual([])
    expect(await auditCount('household.link', police.id)).toBe(0)
    h.clock.set('2026-03-04T10:00:00Z')
    await tellHouseholdsDue(h.app.matchContext, h.clock.now())
    // Only the event of its registration, before the exclusion: the schedule tells it nothing.
    expect(await linkedEvents(school.id)).toHaveLength(1)
    expect((await household('school-a', school.id)).json().households).toEqual([])

    const removed = await as(admin(), 'DELETE', { postcode: '5616ee', houseNumber: '20' })
    expect(removed.statusCode).toBe(204)
    expect(linkedOrgs(await household('zuidzorg', zuidzorg.id)).sort()).toEqual(['police-a', 'school-a'])
    const gone = await as(admin(), 'DELETE', address)
    expect(gone.statusCode).toBe(404)
    expect(gone.headers['content-type']).toMatch(/problem\+json/)
    const hash = householdKey(address.postcode, address.houseNumber, TEST_SUBJECT_KEY_SECRET)
    expect(await auditCount('excluded_address.remove', hash)).toBe(1)
  })

  it('pages newest first and refuses a forged cursor', async () => {
    for (const houseNumber of ['101', '102', '103']) {
      h.clock.advance(60_000)
      expect((await as(admin(), 'PUT', { postcode: '5617 FF', houseNumber })).statusCode).toBe(201)
    }
    const first = (await as(admin(), 'GET', undefined, '/v1/excluded-addresses?limit=2')).json()
    expect(first.items).toHaveLength(2)
    expect(first.items[0].hash).toBe(householdKey('5617FF', '103', TEST_SUBJECT_KEY_SECRET))
    const rest = (
      await as(admin(), 'GET', undefined, `/v1/excluded-addresses?limit=2&cursor=${first.nextCursor}`)
    ).json()
    expect(rest.items[0].hash).toBe(householdKey('5617FF', '101', TEST_SUBJECT_KEY_SECRET))
    const forged = Buffer.from(JSON.stringify({ createdAt: 'x', id: 'y' })).toString('base64url')
    const res = await as(admin(), 'GET', undefined, `/v1/excluded-addresses?cursor=${forged}`)
    expect(res.statusCode).toBe(400)
    expect(res.json().errors[0].pointer).toBe('/cursor')
  })
})
