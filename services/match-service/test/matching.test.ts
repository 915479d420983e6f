import { generateBsn } from '@verwijsindex/shared/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  auth,
  type MatchHarness,
  professional,
  queuedEvents,
  registerChild,
  seedEindhoven,
  startMatchService,
} from './helpers.js'

let h: MatchHarness
beforeAll(async () => {
  h = await startMatchService()
  await seedEindhoven(h)
})
afterAll(() => h.close())

const getMatch = (id: string, org: string) =>
  h.app.inject({ method: 'GET', url: `/v1/matches/${id}`, headers: auth(h.token(professional(org))) })
const withdraw = (id: string, org: string) =>
  h.app.inject({
    method: 'POST',
    url: `/v1/registrations/${id}/withdraw`,
    headers: auth(h.token(professional(org))),
    payload: { reason: 'resolved' },
  })

describe('matching', () => {
  it('forms a match when a second organisation registers, visible in that very answer', async () => {
    const bsn = generateBsn(100)
    const school = await registerChild(h, { org: 'school-a', bsn, body: { externalReference: 'LLN-1' } })
    expect(school.json().matchId).toBeNull()
    h.clock.advance(60_000)
    const police = await registerChild(h, { org: 'police-a', bsn, body: { externalReference: 'PV-99' } })
    const matchId = police.json().matchId
    expect(matchId).toMatch(/^[0-9a-f-]{36}$/)

    const seenBySchool = await getMatch(matchId, 'school-a')
    expect(seenBySchool.statusCode).toBe(200)
    const match = seenBySchool.json()
    expect(match).toMatchObject({
      id: matchId,
      status: 'open',
      closedAt: null,
      region: 'eindhoven',
      households: [],
      contacted: [],
      // A 9-year-old in Eindhoven: school social work, designated by the region as none is involved.
      coordination: {
        organisation: { id: 'smw-eindhoven' },
        status: 'proposed',
        ruleId: '4-to-18',
        escalationLevel: 0,
      },
    })
    expect(match.parties).toEqual([
      expect.objectContaining({
        organisation: { id: 'school-a', name: 'Organisation school-a', sector: 'school-po' },
        contact: {
          name: 'Professional of school-a',
          email: 'pro@school-a.example',
          phone: '+31 6 1234 5678',
        },
        kind: 'concern',
        leftAt: null,
        registrationId: school.json().id,
      }),
      expect.objectContaining({
        organisation: expect.objectContaining({ id: 'police-a' }),
        registrationId: null,
      }),
    ])
    // The school's own registration now shows the match too.
    const own = await h.app.inject({
      method: 'GET',
      url: `/v1/registrations/${school.json().id}`,
      headers: auth(h.token(professional('school-a'))),
    })
    expect(own.json().matchId).toBe(matchId)

    const events = (await queuedEvents(h)).filter((e) => e.matchId === matchId)
    // Events of one transaction carry the same queue timestamp: compare them as a set.
    expect(events.map((e) => e.type).sort()).toEqual(['coordination.proposed', 'match.created'])
    const parties = events.find((e) => e.type === 'match.created')?.parties as {
      organisation: { id: string; email: string }
      externalReference: string
    }[]
    expect(parties.map((p) => [p.organisation.id, p.organisation.email, p.externalReference])).toEqual([
      ['school-a', 'mailbox@school-a.example', 'LLN-1'],
      ['police-a', 'mailbox@police-a.example', 'PV-99'],
    ])
  })

  it('does not match within one organisation', async () => {
    const bsn = generateBsn(101)
    await registerChild(h, { org: 'school-a', bsn })
    const again = await registerChild(h, { org: 'school-a', bsn })
    expect(again.statusCode).toBe(200)
    expect(again.json().matchId).toBeNull()
  })

  it('answers a registration repeated in a match with the registration as stored and the match', async () => {
    const bsn = generateBsn(131)
    const first = await registerChild(h, { org: 'school-a', bsn, body: { externalReference: 'LLN-3' } })
    h.clock.advance(60_000)
    const matchId = (await registerChild(h, { org: 'police-a', bsn })).json().matchId
    h.clock.advance(60_000)
    const again = await registerChild(h, { org: 'school-a', bsn, body: { kind: 'involvement' } })
    expect(again.statusCode).toBe(200)
    const read = await h.app.inject({
      method: 'GET',
      url: `/v1/registrations/${first.json().id}`,
      headers: auth(h.token(professional('school-a'))),
    })
    expect(again.json()).toEqual(read.json())
    // As first answered, now in the match, whose coordination was proposed when it formed.
    expect(again.json()).toEqual({
      ...first.json(),
      matchId,
      coordination: expect.objectContaining({ status: 'proposed' }),
    })
  })

  it('joins, leaves, closes below two organisations, and a re-forming is a new match', async () => {
    const bsn = generateBsn(102)
    const a = (await registerChild(h, { org: 'school-b', bsn })).json()
    const b = (await registerChild(h, { org: 'amw-eindhoven', bsn })).json()
    const c = (await registerChild(h, { org: 'bjz-a', bsn })).json()
    const matchId = b.matchId
    expect(c.matchId).toBe(matchId)
    expect((await getMatch(matchId, 'bjz-a')).json().parties).toHaveLength(3)

    h.clock.advance(3_600_000)
    await withdraw(a.id, 'school-b')
    let match = (await getMatch(matchId, 'amw-eindhoven')).json()
    expect(match.status).toBe('open')
    expect(
      match.parties.find((p: { organisation: { id: string } }) => p.organisation.id === 'school-b').leftAt,
    ).toBe(h.clock.now().toISOString())

    h.clock.advance(3_600_000)
    await withdraw(b.id, 'amw-eindhoven')
    match = (await getMatch(matchId, 'bjz-a')).json()
    expect(match.status).toBe('closed')
    expect(match.closedAt).toBe(h.clock.now().toISOString())
    expect(match.parties.every((p: { leftAt: string | null }) => p.leftAt !== null)).toBe(true)
    expect(
      (
        await h.app.inject({
          method: 'GET',
          url: `/v1/registrations/${c.id}`,
          headers: auth(h.token(professional('bjz-a'))),
        })
      ).json().matchId,
    ).toBeNull()

    const events = (await queuedEvents(h))
      .filter((e) => e.matchId === matchId && e.type.startsWith('match.'))
      .map((e) => e.type)
      .sort()
    expect(events).toEqual([
      'match.closed',
      'match.created',
      'match.party_joined',
      'match.party_left',
      'match.party_left',
    ])
    expect(match.coordination.status).toBe('ended')
    const ended = (await queuedEvents(h)).filter(
      (e) => e.type === 'registration.ended' && [a.id, b.id].includes(e.registrationId as string),
    )
    expect(ended).toHaveLength(2)

    const reformed = (await registerChild(h, { org: 'school-b', bsn })).json()
    expect(reformed.matchId).not.toBeNull()
    expect(reformed.matchId).not.toBe(matchId)
  })

  it('is visible only to its parties: others get 404, audited as access.denied', async () => {
    const bsn = generateBsn(103)
    await registerChild(h, { org: 'school-a', bsn })
    const matchId = (await registerChild(h, { org: 'zuidzorg', bsn })).json().matchId
    const outsider = await getMatch(matchId, 'cjg-eindhoven')
    expect(outsider.statusCode).toBe(404)
    const unknown = await getMatch('00000000-0000-4000-8000-000000000000', 'cjg-eindhoven')
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json().code).toBe(outsider.json().code)
    const denied = await h.db
      .selectFrom('audit.events')
      .selectAll()
      .where('action', '=', 'access.denied')
      .where('resourceId', '=', matchId)
      .execute()
    expect(denied).toHaveLength(1)
    expect(denied[0]?.subjectKey).toMatch(/^[0-9a-f]{64}$/)

    const list = await h.app.inject({
      method: 'GET',
      url: '/v1/matches?status=open',
      headers: auth(h.token(professional('zuidzorg'))),
    })
    expect(list.json().items.map((m: { id: string }) => m.id)).toEqual([matchId])
    const none = await h.app.inject({
      method: 'GET',
      url: '/v1/matches',
      headers: auth(h.token(professional('cjg-eindhoven'))),
    })
    expect(none.json()).toEqual({ items: [], nextCursor: null })
    const read = await h.db
      .selectFrom('audit.events')
      .select('action')
      .where('resourceId', '=', matchId)
      .where('action', '=', 'match.read')
      .execute()
    expect(read.length).toBeGreaterThanOrEqual(1)
  })

  it('queues events with ids and contacts, never a BSN, subject key, birth date or household data', async () => {
    const bsn = generateBsn(104)
    await registerChild(h, {
      org: 'school-a',
      bsn,
      birthDate: '2014-07-19',
      body: { household: { postcode: '5611 AB', houseNumber: '12' } },
    })
    await registerChild(h, { org: 'amw-eindhoven', bsn, birthDate: '2014-07-19' })
    const subjectKeys = (await h.db.selectFrom('match.subjects').select('subjectKey').execute()).map(
      (s) => s.subjectKey,
    )
    const everything = JSON.stringify(await queuedEvents(h))
    for (const forbidden of [bsn, '2014-07-19', '5611', ...subjectKeys])
      expect(everything).not.toContain(forbidden)
  })
})
