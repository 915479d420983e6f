import { generateBsn } from '@verwijsindex/shared/testing'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { suppress } from '../src/domain/suppression.js'
import { freezeClosedMonth } from '../src/use-cases/region-statistics.js'
import {
  auth,
  type MatchHarness,
  professional,
  registerChild,
  seedEindhoven,
  startMatchService,
} from './helpers.js'

/**
 * A constructed January and February in Eindhoven whose figures are known by hand. `small` is a replica
 * with STATISTICS_MIN_CELL=2 (only ones suppressed), so most figures show; `h` has the default 5.
 */
let h: MatchHarness
let small: FastifyInstance
const bsns = Array.from({ length: 7 }, (_, i) => generateBsn(9100 + i))
const ids: { registrations: string[]; matches: string[] } = { registrations: [], matches: [] }

const post = (org: string, url: string, payload?: object) =>
  h.app.inject({
    method: 'POST',
    url,
    headers: auth(h.token(professional(org))),
    ...(payload ? { payload } : {}),
  })
const policy = (claims: { region?: string } = { region: 'eindhoven' }) =>
  h.token({ sub: 'beleid-1', roles: ['policy_officer'], ...claims })
const statistics = (
  app: FastifyInstance,
  token: string,
  query = 'from=2026-01&to=2026-02',
  accept?: string,
) =>
  app.inject({
    method: 'GET',
    url: `/v1/regions/eindhoven/statistics?${query}`,
    headers: { ...auth(token), ...(accept ? { accept } : {}) },
  })

beforeAll(async () => {
  h = await startMatchService()
  await seedEindhoven(h)
  small = await h.another({ env: { STATISTICS_MIN_CELL: '2' } })
  h.clock.set(new Date('2026-01-05T09:00:00Z')) // Monday
  // Six children aged 9 registered by the school, one aged 2 by BJZ: seven registrations in 0772.
  for (const bsn of bsns.slice(0, 6)) {
    const r = await registerChild(h, {
      org: 'school-a',
      bsn,
      birthDate: '2016-05-10',
      body: { municipality: '0772' },
    })
    ids.registrations.push(r.json().id)
  }
  const bjz = await registerChild(h, {
    org: 'bjz-a',
    bsn: bsns[6]!,
    birthDate: '2023-06-01',
    body: { municipality: '0772' },
  })
  ids.registrations.push(bjz.json().id)
  // The police join two of them: two matches, smw-eindhoven proposed for both.
  for (const bsn of bsns.slice(0, 2)) {
    const r = await registerChild(h, {
      org: 'police-a',
      bsn,
      birthDate: '2016-05-10',
      body: { kind: 'involvement' },
    })
    ids.registrations.push(r.json().id)
    ids.matches.push(r.json().matchId)
  }
  const [m1, m2] = ids.matches as [string, string]
  // Match 1: both record contact the next working day (1), smw accepts after 2 working days.
  h.clock.set(new Date('2026-01-06T09:00:00Z'))
  await post('school-a', `/v1/matches/${m1}/contacted`)
  await post('police-a', `/v1/matches/${m1}/contacted`)
  h.clock.set(new Date('2026-01-07T09:00:00Z'))
  await post('smw-eindhoven', `/v1/matches/${m1}/coordination/accept`)
  // Match 2: only the school, after 3 working days (Thursday); smw declines: nobody left, escalation 1.
  h.clock.set(new Date('2026-01-08T09:00:00Z'))
  await post('school-a', `/v1/matches/${m2}/contacted`)
  await post('smw-eindhoven', `/v1/matches/${m2}/coordination/decline`, { reason: 'no_capacity' })
  // February: the police withdraw from match 2, which closes.
  h.clock.set(new Date('2026-02-10T09:00:00Z'))
  const withdrawn = await post('police-a', `/v1/registrations/${ids.registrations[8]}/withdraw`, {
    reason: 'resolved',
  })
  expect(withdrawn.statusCode).toBe(200)
  h.clock.set(new Date('2026-03-02T09:00:00Z'))
})
afterAll(() => h.close())

describe('region statistics', () => {
  it('answers each figure as known by hand (minimum cell 2)', async () => {
    const res = await statistics(small, policy())
    expect(res.statusCode).toBe(200)
    const { months, minCell, suppressed } = res.json()
    expect(minCell).toBe(2)
    const [jan, feb] = months
    expect(jan.registrations.created).toMatchObject({
      total: 9,
      // BJZ's one is suppressed; the next-smallest (police, 2) goes with it.
      bySector: { 'school-po': 6, police: null, bjz: null, gp: 0 },
      byKind: { concern: 7, involvement: 2 },
      // The lone 1 (age 2) takes the next-smallest non-zero band with it.
      byAgeBand: { '4-11': null, '0-3': null, '12-17': 0, '18-22': 0 },
      byMunicipality: { '0772': 7, unknown: 2 },
    })
    expect(suppressed).toEqual(
      expect.arrayContaining([
        '/months/0/registrations/created/bySector/bjz',
        '/months/0/registrations/created/bySector/police',
        '/months/0/registrations/created/byAgeBand/0-3',
      ]),
    )
    expect(jan.matches).toEqual({
      opened: 2,
      closed: 0,
      openAtMonthEnd: 2,
      householdLinks: 0,
      crossRegion: 0,
    })
    expect(jan.followUp).toEqual({
      opened: 2,
      allContactedWithin: null, // 1: only match 1 has every party within 5 working days
      followUpRate: 0.5,
      contacted: 2,
      medianWorkingDaysToFirstContact: 2, // 1 and 3
      warmHandovers: 0,
    })
    expect(jan.coordination).toMatchObject({
      designated: 2,
      accepted: null,
      medianWorkingDaysToAcceptance: null, // base 1
      escalated: null,
      unassignedAtMonthEnd: null,
    })
    expect(feb.registrations.ended).toEqual({ total: null, byReason: { resolved: null } })
    expect(feb.matches).toMatchObject({ opened: 0, closed: null, openAtMonthEnd: null })
  })

  it('suppresses counts below 5 by default, with the differencing rule', async () => {
    const { months } = (await statistics(h.app, policy())).json()
    expect(months[0].registrations.created.total).toBe(9)
    expect(months[0].registrations.created.bySector['school-po']).toBe(6)
    expect(months[0].matches.opened).toBeNull()
    expect(months[0].followUp.followUpRate).toBeNull() // base 2 < 5
    const { months: published, suppressed } = suppress(
      [
        {
          ...months[0],
          registrations: {
            ...months[0].registrations,
            created: {
              total: 20,
              bySector: { a: 3, b: 7, c: 10, d: 0 },
              byKind: {},
              byAgeBand: {},
              byMunicipality: {},
            },
          },
        },
      ],
      5,
    )
    expect(published[0]?.registrations.created.bySector).toEqual({ a: null, b: null, c: 10, d: 0 })
    expect(suppressed).toEqual(
      expect.arrayContaining([
        '/months/0/registrations/created/bySector/a',
        '/months/0/registrations/created/bySector/b',
      ]),
    )
  })

  it('keeps a closed month as stored when it closed; erasure does not rewrite it', async () => {
    await freezeClosedMonth(h.app.matchContext, h.clock.now())
    const before = (await statistics(small, policy())).json()
    const erased = await h.app.inject({
      method: 'POST',
      url: '/v1/subjects/erase',
      headers: auth(h.token({ sub: 'fg-1', roles: ['privacy_officer'] })),
      payload: { bsn: bsns[0], reason: 'objection' },
    })
    expect(erased.statusCode).toBe(200)
    const after = (await statistics(small, policy())).json()
    expect(after.months).toEqual(before.months)
    const live = (await statistics(small, policy(), 'from=2026-01&to=2026-03')).json()
    expect(live.months).toHaveLength(3)
  })

  it('answers CSV with an empty value where suppressed, and no subject key, registration id or contact', async () => {
    const res = await statistics(small, policy(), 'from=2026-01&to=2026-02', 'text/csv')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/csv/)
    const lines = res.body.trim().split('\n')
    expect(lines[0]).toBe('month,measure,breakdown,key,value')
    expect(lines).toContain('2026-01,registrations.created,bySector,school-po,6')
    expect(lines).toContain('2026-01,registrations.created,bySector,bjz,')
    expect(lines).toContain('2026-01,registrations.created.total,,,9')
    const json = (await statistics(small, policy())).body
    const subjects = await h.db.selectFrom('match.subjects').select('subjectKey').execute()
    const contacts = await h.db
      .selectFrom('match.registrations')
      .select(['contactEmail', 'contactPhone'])
      .execute()
    for (const body of [res.body, json]) {
      for (const s of subjects) expect(body).not.toContain(s.subjectKey)
      for (const id of [...ids.registrations, ...ids.matches]) expect(body).not.toContain(id)
      for (const c of contacts) {
        expect(body).not.toContain(c.contactEmail)
        expect(body).not.toContain(c.contactPhone)
      }
    }
  })

  it("restricts a policy officer to its token's region, refuses other roles, validates the range, audits every read", async () => {
    expect((await statistics(h.app, policy({ region: 'almere' }))).statusCode).toBe(404)
    expect((await statistics(h.app, policy({}))).statusCode).toBe(200)
    expect((await statistics(h.app, h.admin)).statusCode).toBe(200)
    expect((await statistics(h.app, h.token(professional('school-a')))).statusCode).toBe(403)
    const noRegion = await h.app.inject({
      method: 'GET',
      url: '/v1/regions/nowhere/statistics?from=2026-01&to=2026-01',
      headers: auth(policy({})),
    })
    expect(noRegion.statusCode).toBe(404)
    expect((await statistics(h.app, policy(), 'from=2026-13&to=2026-02')).statusCode).toBe(400)
    expect((await statistics(h.app, policy(), 'from=2026-03&to=2026-02')).statusCode).toBe(400)
    expect((await statistics(h.app, policy(), 'from=2026-01&to=2026-09')).statusCode).toBe(422)
    const professionalWithRegion = h.token({ ...professional('school-a'), region: 'eindhoven' })
    expect((await statistics(h.app, professionalWithRegion)).statusCode).toBe(401)
    const audit = await h.db
      .selectFrom('audit.events')
      .select(['action', 'outcome'])
      .where('resourceType', '=', 'region')
      .execute()
    expect(audit.filter((a) => a.action === 'statistics.read').length).toBeGreaterThanOrEqual(8)
    expect(audit.filter((a) => a.action === 'access.denied').length).toBe(2)
  })
})
