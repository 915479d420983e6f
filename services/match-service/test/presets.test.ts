import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readPreset } from '../src/demo.js'
import { auth, type MatchHarness, professional, startMatchService } from './helpers.js'

let h: MatchHarness

const orgs: [string, string, string][] = [
  ['eindhoven', 'zuidzorg', 'jgz-0-4'],
  ['eindhoven', 'smw-eindhoven', 'school-social-work'],
  ['eindhoven', 'amw-eindhoven', 'amw'],
  ['eindhoven', 'cjg-eindhoven', 'cjg'],
  ['eindhoven', 'gemeente-eindhoven', 'municipality'],
  ['den-haag', 'cjg-den-haag', 'cjg'],
  ['den-haag', 'jgz-den-haag-0-4', 'jgz-0-4'],
  ['den-haag', 'jgz-den-haag-4-19', 'jgz-4-19'],
  ['den-haag', 'bureau-basiszorg', 'ggz-adult'],
  ['amsterdam', 'coordinator-risicogezinnen-amsterdam', 'municipality'],
  ['amsterdam', 'jgz-amsterdam', 'jgz-0-4'],
  ['amsterdam', 'jgz-amsterdam-4-19', 'jgz-4-19'],
  ['almere', 'procescoordinatie-almere', 'municipality'],
  ['almere', 'jgz-almere', 'jgz-4-19'],
]

beforeAll(async () => {
  h = await startMatchService()
  for (const region of ['eindhoven', 'den-haag', 'amsterdam', 'almere']) {
    const res = await h.app.inject({
      method: 'PUT',
      url: `/v1/regions/${region}`,
      headers: auth(h.admin),
      payload: await readPreset(region),
    })
    expect(res.statusCode).toBe(201)
  }
  for (const [region, id, sector] of orgs) {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/organisations',
      headers: auth(h.admin),
      payload: { id, name: id, sector, region, email: `mailbox@${id}.example` },
    })
    expect(res.statusCode).toBe(201)
  }
})
afterAll(() => h.close())

async function explain(region: string, ageYears: number, sectors: string[]) {
  const res = await h.app.inject({
    method: 'POST',
    url: `/v1/regions/${region}/explain`,
    headers: auth(h.token(professional('cjg-eindhoven'))),
    payload: { ageYears, parties: sectors.map((sector) => ({ sector })) },
  })
  expect(res.statusCode).toBe(200)
  return res.json() as {
    coordinator: { organisation: { id: string } | null; sector: string } | null
    ruleId: string | null
    trace: { ruleId: string; applied: boolean; reason: string }[]
  }
}

const coordinatorOf = async (region: string, age: number, sectors: string[]) => {
  const r = await explain(region, age, sectors)
  return [r.ruleId, r.coordinator?.organisation?.id ?? r.coordinator?.sector ?? null]
}

describe('Eindhoven (DOMAIN 4)', () => {
  it.each([
    ['a 2-year-old with police and a school', 2, ['police', 'school-po'], ['under-4', 'zuidzorg']],
    ['a 10-year-old with BJZ and a school', 10, ['bjz', 'school-po'], ['bjz-involved', 'bjz']],
    ['a 19-year-old with police and a GP', 19, ['police', 'gp'], ['18-plus', 'amw-eindhoven']],
    ['a 3-year-old (below 4)', 3, ['police', 'gp'], ['under-4', 'zuidzorg']],
    ['a 4-year-old (from 4)', 4, ['police', 'gp'], ['4-to-18', 'smw-eindhoven']],
    ['a 17-year-old (below 18)', 17, ['police', 'gp'], ['4-to-18', 'smw-eindhoven']],
    ['an 18-year-old (from 18)', 18, ['police', 'gp'], ['18-plus', 'amw-eindhoven']],
  ])('%s → %s', async (_case, age, sectors, expected) => {
    expect(await coordinatorOf('eindhoven', age, sectors)).toEqual(expected)
  })

  it('explains every rule it tried', async () => {
    const r = await explain('eindhoven', 10, ['police', 'school-po'])
    expect(r.trace).toEqual([
      { ruleId: 'bjz-involved', applied: false, reason: 'none of bjz is involved' },
      { ruleId: 'under-4', applied: false, reason: 'age 10 is not below 4' },
      {
        ruleId: '4-to-18',
        applied: true,
        reason: 'designated school-social-work organisation smw-eindhoven',
      },
    ])
  })

  it('skips organisations that do not exist, and says so', async () => {
    await h.app.inject({
      method: 'PATCH',
      url: '/v1/organisations/zuidzorg',
      headers: auth(h.admin),
      payload: { active: false },
    })
    const r = await explain('eindhoven', 2, ['police', 'school-po'])
    expect(r.trace.find((t) => t.ruleId === 'under-4')?.reason).toMatch(/zuidzorg is deactivated/)
    // Nobody may coordinate under 4 now, and police and schools may not: the first sector-only party is
    // taken as able to coordinate in explain.
    expect(r.ruleId).toBe('fallback')
    await h.app.inject({
      method: 'PATCH',
      url: '/v1/organisations/zuidzorg',
      headers: auth(h.admin),
      payload: { active: true },
    })
  })
})

describe('Den Haag', () => {
  it.each([
    ['domestic violence at any age', 8, ['veilig-thuis', 'school-po'], ['domestic-violence', 'cjg-den-haag']],
    ['a parent in mental-health care', 6, ['ggz-adult', 'school-po'], ['parent-mental-health', 'ggz-adult']],
    ['a 16-year-old at the ROC', 16, ['school-mbo', 'police'], ['mbo-16-plus', 'school-mbo']],
    ['a 13-year-old in secondary school', 13, ['school-vo', 'police'], ['vo-12-plus', 'school-vo']],
    ['a 14-year-old not at school', 14, ['police', 'gp'], ['not-at-school-12-plus', 'cjg-den-haag']],
    ['a 3-year-old', 3, ['police', 'childcare'], ['pre-school', 'jgz-den-haag-0-4']],
    ['an 8-year-old at primary school', 8, ['school-po', 'police'], ['primary-school', 'jgz-den-haag-4-19']],
  ])('%s', async (_case, age, sectors, expected) => {
    expect(await coordinatorOf('den-haag', age, sectors)).toEqual(expected)
  })
})

describe('Amsterdam', () => {
  it.each([
    ['BJZ involved', 7, ['bjz', 'school-po'], ['bjz-involved', 'bjz']],
    [
      'five organisations: a risk family',
      9,
      ['police', 'school-po', 'gp', 'ggz', 'youth-care'],
      ['risk-family', 'coordinator-risicogezinnen-amsterdam'],
    ],
    ['a 2-year-old', 2, ['police', 'gp'], ['under-4', 'jgz-amsterdam']],
    [
      'a 15-year-old with school social work',
      15,
      ['school-social-work', 'police'],
      ['12-plus', 'school-social-work'],
    ],
    ['a 15-year-old without', 15, ['police', 'gp'], ['12-plus', 'jgz-amsterdam-4-19']],
  ])('%s', async (_case, age, sectors, expected) => {
    expect(await coordinatorOf('amsterdam', age, sectors)).toEqual(expected)
  })
})

describe('Almere (levels by number of professionals)', () => {
  it.each([
    [
      '2 professionals agree among themselves: the first registrant that may coordinate',
      9,
      ['gp', 'youth-care'],
      ['fallback', 'gp'],
    ],
    [
      '3 professionals: JGZ coordinates',
      9,
      ['gp', 'youth-care', 'police'],
      ['zorgcoordinatie', 'jgz-almere'],
    ],
    [
      '4 professionals: the process coordinator',
      9,
      ['gp', 'youth-care', 'police', 'school-po'],
      ['procescoordinatie', 'procescoordinatie-almere'],
    ],
  ])('%s', async (_case, age, sectors, expected) => {
    expect(await coordinatorOf('almere', age, sectors)).toEqual(expected)
  })
})

describe('explain', () => {
  it('takes a birth date instead of an age, refuses both or neither, and writes only its audit event', async () => {
    const before = await h.db.selectFrom('match.coordinations').select('matchId').execute()
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/regions/eindhoven/explain',
      headers: auth(h.token(professional('cjg-eindhoven'))),
      payload: { birthDate: '2024-01-01', parties: [{ sector: 'police' }, { sector: 'gp' }] },
    })
    expect(res.json().ruleId).toBe('under-4')
    const both = await h.app.inject({
      method: 'POST',
      url: '/v1/regions/eindhoven/explain',
      headers: auth(h.token(professional('cjg-eindhoven'))),
      payload: { birthDate: '2024-01-01', ageYears: 3, parties: [{ sector: 'police' }] },
    })
    expect(both.statusCode).toBe(400)
    const unknown = await h.app.inject({
      method: 'POST',
      url: '/v1/regions/nowhere/explain',
      headers: auth(h.token(professional('cjg-eindhoven'))),
      payload: { ageYears: 3, parties: [{ sector: 'police' }] },
    })
    expect(unknown.statusCode).toBe(404)
    expect(await h.db.selectFrom('match.coordinations').select('matchId').execute()).toEqual(before)
    const audit = await h.db
      .selectFrom('audit.events')
      .select('action')
      .where('action', '=', 'region.explain')
      .execute()
    expect(audit.length).toBeGreaterThanOrEqual(1)
  })
})
