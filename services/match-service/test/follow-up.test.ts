import { generateBsn } from '@verwijsindex/shared/testing'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordNotified } from '../src/use-cases/record-notified.js'
import { runFollowUp } from '../src/use-cases/run-follow-up.js'
import {
  auth,
  type MatchHarness,
  professional,
  queuedEvents,
  registerChild,
  seedEindhoven,
  startMatchService,
} from './helpers.js'

// The Eindhoven preset: remindAfter 3, contactWithin 5, warmHandoverWithin 20 working days.
let h: MatchHarness
let second: FastifyInstance
beforeAll(async () => {
  h = await startMatchService()
  await seedEindhoven(h)
  second = await h.another()
})
afterAll(() => h.close())

let seed = 7000
async function matchOn(orgs: [string, string] = ['school-a', 'police-a']) {
  const bsn = generateBsn(seed++)
  const first = await registerChild(h, { org: orgs[0], bsn, birthDate: '2016-05-10' })
  const res = await registerChild(h, { org: orgs[1], bsn, birthDate: '2016-05-10' })
  expect(res.statusCode).toBe(201)
  return { first: first.json(), registration: res.json(), matchId: res.json().matchId as string }
}
const post = (org: string, url: string, payload?: object) =>
  h.app.inject({
    method: 'POST',
    url,
    headers: auth(h.token(professional(org))),
    ...(payload ? { payload } : {}),
  })
const read = (org: string, matchId: string) =>
  h.app.inject({ method: 'GET', url: `/v1/matches/${matchId}`, headers: auth(h.token(professional(org))) })

/** Both replicas run the schedule at the same moment; answers how many events they sent together. */
async function bothRun(at: string): Promise<number> {
  h.clock.set(new Date(at))
  const counts = await Promise.all([
    runFollowUp(h.app.matchContext, new Date(at)),
    runFollowUp(second.matchContext, new Date(at)),
  ])
  return counts[0] + counts[1]
}
const followUpEvents = async (matchId: string) =>
  (await queuedEvents(h)).filter(
    (e) => e.type === 'match.follow_up_due' && e.matchId === matchId,
  ) as unknown as {
    parties: { organisation: { id: string } }[]
    organisations: { id: string }[]
    followUp: { due: string; dueAt: string | null; silent: { id: string }[] }
  }[]
const auditCount = async (action: string, matchId: string) =>
  (
    await h.db
      .selectFrom('audit.events')
      .select('id')
      .where('action', '=', action)
      .where('resourceId', '=', matchId)
      .execute()
  ).length

describe('follow-up of a match', () => {
  it('shows whom a party contacted, keeps the bodiless call, and refuses a non-party', async () => {
    const { matchId } = await matchOn()
    const bad = await post('school-a', `/v1/matches/${matchId}/contacted`, { organisations: ['bjz-a'] })
    expect(bad.statusCode).toBe(422)
    expect(bad.json().errors).toEqual([
      { pointer: '/organisations/0', message: expect.stringContaining('bjz-a') },
    ])
    const unknown = await post('school-a', `/v1/matches/${matchId}/contacted`, { whom: ['x'] })
    expect(unknown.statusCode).toBe(400)
    const ok = await post('school-a', `/v1/matches/${matchId}/contacted`, { organisations: ['police-a'] })
    expect(ok.statusCode).toBe(200)
    const school = ok
      .json()
      .parties.find((p: { organisation: { id: string } }) => p.organisation.id === 'school-a')
    expect(school).toMatchObject({
      contactedAt: h.clock.now().toISOString(),
      contactedOrganisations: ['police-a'],
    })
    const police = ok
      .json()
      .parties.find((p: { organisation: { id: string } }) => p.organisation.id === 'police-a')
    expect(police).toMatchObject({ contactedAt: null, contactedOrganisations: [], notifiedAt: null })
    expect((await post('police-a', `/v1/matches/${matchId}/contacted`)).statusCode).toBe(200)
  })

  it('records when a party was first notified, from the delivery notify-service reports', async () => {
    const { matchId } = await matchOn()
    const later = new Date(h.clock.now().getTime() + 120_000).toISOString()
    const earlier = new Date(h.clock.now().getTime() + 60_000).toISOString()
    const report = (deliveredAt: string) => ({ matchId, organisationId: 'police-a', deliveredAt })
    // A batch of reports (one per delivered mail) and a malformed one: one row, at the earliest moment.
    expect(
      await recordNotified(h.app.matchContext, [report(later), report(earlier), { matchId: 'not-a-uuid' }]),
    ).toBe(1)
    // Replayed or later reports change nothing.
    expect(await recordNotified(h.app.matchContext, [report(later), report(earlier)])).toBe(0)
    const police = (await read('police-a', matchId))
      .json()
      .parties.find((p: { organisation: { id: string } }) => p.organisation.id === 'police-a')
    expect(police.notifiedAt).toBe(earlier)
  })

  it('reminds a silent party once at remindAfter and tells the coordinator at contactWithin, once across two replicas', async () => {
    h.clock.set(new Date('2026-03-02T09:00:00Z')) // Monday
    const { matchId } = await matchOn()
    expect((await post('school-a', `/v1/matches/${matchId}/contacted`)).statusCode).toBe(200)

    await bothRun('2026-03-05T08:59:00Z') // before 3 working days
    expect(await followUpEvents(matchId)).toHaveLength(0)
    await bothRun('2026-03-05T09:00:00Z')
    await bothRun('2026-03-05T10:00:00Z')
    let events = await followUpEvents(matchId)
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({
      parties: [{ organisation: { id: 'police-a' } }],
      organisations: [],
      followUp: { due: 'contact', dueAt: '2026-03-09T09:00:00.000Z' },
    })

    await bothRun('2026-03-09T08:59:00Z')
    expect(await followUpEvents(matchId)).toHaveLength(1)
    await bothRun('2026-03-09T09:00:00Z') // the next Monday: 5 working days
    await bothRun('2026-03-10T09:00:00Z')
    events = await followUpEvents(matchId)
    expect(events).toHaveLength(2)
    expect(events[1]).toMatchObject({
      parties: [],
      organisations: [{ id: 'smw-eindhoven' }],
      followUp: { due: 'contact_overdue', silent: [{ id: 'police-a' }] },
    })
    expect(await auditCount('match.follow_up_remind', matchId)).toBe(1)
    expect(await auditCount('match.follow_up_overdue', matchId)).toBe(1)
  })

  it('the coordinator records the warm handover, is reminded when it is due, and others may not', async () => {
    h.clock.set(new Date('2026-03-02T09:00:00Z'))
    const { matchId } = await matchOn()
    expect((await post('smw-eindhoven', `/v1/matches/${matchId}/coordination/accept`)).statusCode).toBe(200)
    expect((await post('police-a', `/v1/matches/${matchId}/warm-handover`)).statusCode).toBe(403)
    expect((await post('bjz-a', `/v1/matches/${matchId}/warm-handover`)).statusCode).toBe(404)
    // 20 working days from Monday 2 March 10:00 in Amsterdam: Monday 30 March 10:00, summer time by then.
    await bothRun('2026-03-30T07:59:00Z')
    expect((await followUpEvents(matchId)).filter((e) => e.followUp.due === 'warm_handover')).toHaveLength(0)
    await bothRun('2026-03-30T08:00:00Z')
    await bothRun('2026-03-31T09:00:00Z')
    const reminders = (await followUpEvents(matchId)).filter((e) => e.followUp.due === 'warm_handover')
    expect(reminders).toHaveLength(1)
    expect(reminders[0]?.organisations).toEqual([expect.objectContaining({ id: 'smw-eindhoven' })])

    const done = await post('smw-eindhoven', `/v1/matches/${matchId}/warm-handover`)
    expect(done.statusCode).toBe(200)
    expect(done.json().warmHandover).toEqual({
      at: h.clock.now().toISOString(),
      organisation: 'smw-eindhoven',
    })
    expect((await post('smw-eindhoven', `/v1/matches/${matchId}/warm-handover`)).statusCode).toBe(409)
    expect(await auditCount('match.warm_handover', matchId)).toBe(1)
  })

  it('after the match closed first, the coordinator is told once and may record it until the window passes', async () => {
    h.clock.set(new Date('2026-03-02T09:00:00Z'))
    const { matchId, registration } = await matchOn()
    expect((await post('smw-eindhoven', `/v1/matches/${matchId}/coordination/accept`)).statusCode).toBe(200)
    const withdrawn = await post('police-a', `/v1/registrations/${registration.id}/withdraw`, {
      reason: 'transferred',
    })
    expect(withdrawn.statusCode).toBe(200)
    await bothRun('2026-03-03T09:00:00Z')
    await bothRun('2026-03-04T09:00:00Z')
    const told = (await followUpEvents(matchId)).filter((e) => e.followUp.due === 'closed_before_handover')
    expect(told).toHaveLength(1)
    expect(told[0]?.followUp.dueAt).toBe('2026-03-30T08:00:00.000Z')
    expect((await post('smw-eindhoven', `/v1/matches/${matchId}/warm-handover`)).statusCode).toBe(200)

    // Another one, recorded too late.
    h.clock.set(new Date('2026-03-02T09:00:00Z'))
    const late = await matchOn()
    await post('smw-eindhoven', `/v1/matches/${late.matchId}/coordination/accept`)
    await post('police-a', `/v1/registrations/${late.registration.id}/withdraw`, { reason: 'transferred' })
    h.clock.set(new Date('2026-03-30T08:00:00Z'))
    const refused = await post('smw-eindhoven', `/v1/matches/${late.matchId}/warm-handover`)
    expect(refused.statusCode).toBe(409)
  })
})

describe('the organisation follow-up list', () => {
  it('lists its open matches with what it still has to do, oldest first; another organisation gets 404', async () => {
    h.clock.set(new Date('2026-06-01T09:00:00Z'))
    const a = await matchOn(['school-a', 'amw-eindhoven'])
    h.clock.advance(60_000)
    const b = await matchOn(['school-a', 'amw-eindhoven'])
    await post('amw-eindhoven', `/v1/matches/${b.matchId}/contacted`)
    const list = await h.app.inject({
      method: 'GET',
      url: '/v1/organisations/amw-eindhoven/follow-up',
      headers: auth(h.token(professional('amw-eindhoven'))),
    })
    expect(list.statusCode).toBe(200)
    const items = list.json().items as { matchId: string; tasks: { task: string }[] }[]
    const ours = items.filter((i) => [a.matchId, b.matchId].includes(i.matchId))
    expect(ours.map((i) => i.matchId)).toEqual([a.matchId])
    expect(ours[0]?.tasks.map((t) => t.task)).toEqual(['contact'])

    const smw = await h.app.inject({
      method: 'GET',
      url: '/v1/organisations/smw-eindhoven/follow-up',
      headers: auth(h.token(professional('smw-eindhoven'))),
    })
    const proposed = (smw.json().items as { matchId: string; tasks: { task: string }[] }[]).find(
      (i) => i.matchId === a.matchId,
    )
    expect(proposed?.tasks.map((t) => t.task)).toEqual(['accept'])

    const other = await h.app.inject({
      method: 'GET',
      url: '/v1/organisations/amw-eindhoven/follow-up',
      headers: auth(h.token(professional('school-a'))),
    })
    expect(other.statusCode).toBe(404)
  })
})
