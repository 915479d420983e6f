import { generateBsn } from '@verwijsindex/shared/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCoordinationDeadlines } from '../src/use-cases/raise-due-escalations.js'
import { reevaluateBirthdays } from '../src/use-cases/reevaluate-birthdays.js'
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

let seed = 2000
/** Two organisations register one child; answers the second registration (the one that made the match). */
async function matchOn(birthDate: string, orgs: [string, string] = ['school-a', 'police-a']) {
  const bsn = generateBsn(seed++)
  await registerChild(h, { org: orgs[0], bsn, birthDate })
  const res = await registerChild(h, { org: orgs[1], bsn, birthDate })
  expect(res.statusCode).toBe(201)
  return { bsn, registration: res.json(), matchId: res.json().matchId as string }
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
const coordinationOf = async (matchId: string, org = 'school-a') =>
  (await read(org, matchId)).json().coordination

describe('designation', () => {
  it('designates in the transaction that creates the match, visible in that answer', async () => {
    h.clock.set('2026-03-02T09:00:00Z') // Monday
    const { registration, matchId } = await matchOn('2016-05-10') // 9 years old
    expect(registration.coordination).toEqual({
      organisation: { id: 'smw-eindhoven', name: 'Organisation smw-eindhoven', sector: 'school-social-work' },
      status: 'proposed',
      dueAt: '2026-03-09T09:00:00.000Z', // five working days
    })
    const c = await coordinationOf(matchId)
    expect(c).toMatchObject({
      ruleId: '4-to-18',
      regionVersion: 1,
      escalationLevel: 0,
      pendingTransfer: null,
    })
    const proposed = (await queuedEvents(h)).find(
      (e) => e.type === 'coordination.proposed' && e.matchId === matchId,
    )
    expect(((proposed?.organisations ?? []) as { id: string }[]).map((o) => o.id)).toEqual(['smw-eindhoven'])
  })

  it('lets the designated organisation read and accept without a registration of its own', async () => {
    const { matchId } = await matchOn('2016-05-10')
    expect((await read('smw-eindhoven', matchId)).statusCode).toBe(200)
    expect((await read('cjg-eindhoven', matchId)).statusCode).toBe(404)
    const notProposed = await post('school-a', `/v1/matches/${matchId}/coordination/accept`)
    expect(notProposed.statusCode).toBe(409)
    h.clock.advance(3_600_000)
    const accepted = await post('smw-eindhoven', `/v1/matches/${matchId}/coordination/accept`)
    expect(accepted.statusCode).toBe(200)
    expect(accepted.json().coordination).toMatchObject({
      status: 'accepted',
      acceptedAt: h.clock.now().toISOString(),
    })
    const audit = await h.db
      .selectFrom('audit.events')
      .selectAll()
      .where('action', '=', 'coordination.accept')
      .where('resourceId', '=', matchId)
      .executeTakeFirstOrThrow()
    expect(audit).toMatchObject({ actorOrganisation: 'smw-eindhoven', outcome: 'success' })
    // Acceptance stops the ladder.
    expect(
      await runCoordinationDeadlines(h.app.matchContext, new Date('2026-06-01T00:00:00Z')),
    ).toBeGreaterThanOrEqual(0)
    expect((await coordinationOf(matchId)).escalationLevel).toBe(0)
  })

  it('a decline proposes the next candidate with every decliner excluded; none left is unassigned and escalates', async () => {
    const { matchId } = await matchOn('2016-05-10', ['school-a', 'amw-eindhoven'])
    const declined = await post('smw-eindhoven', `/v1/matches/${matchId}/coordination/decline`, {
      reason: 'no_capacity',
    })
    expect(declined.statusCode).toBe(200)
    expect(declined.json().coordination).toMatchObject({
      organisation: { id: 'amw-eindhoven' },
      status: 'proposed',
      ruleId: 'fallback',
    })
    // The decliner no longer sees the match.
    expect((await read('smw-eindhoven', matchId)).statusCode).toBe(404)
    const bad = await post('amw-eindhoven', `/v1/matches/${matchId}/coordination/decline`, {
      reason: 'tired',
    })
    expect(bad.statusCode).toBe(400)
    const last = await post('amw-eindhoven', `/v1/matches/${matchId}/coordination/decline`, {
      reason: 'other_is_better_placed',
    })
    const c = last.json().coordination
    expect(c).toMatchObject({ organisation: null, status: 'unassigned', escalationLevel: 1, dueAt: null })
    expect(c.history.map((e: { event: string }) => e.event)).toEqual([
      'proposed',
      'declined',
      'proposed',
      'declined',
      'unassigned',
      'escalated',
    ])
    // Step 1 of the ladder names cjg-eindhoven: it may now read the match.
    expect((await read('cjg-eindhoven', matchId)).statusCode).toBe(200)
    const types = (await queuedEvents(h)).filter((e) => e.matchId === matchId).map((e) => e.type)
    expect(types).toEqual(
      expect.arrayContaining(['coordination.declined', 'coordination.unassigned', 'coordination.escalated']),
    )
  })

  it('a transfer waits for the receiver to accept; the coordinator keeps it until then', async () => {
    const { matchId } = await matchOn('2016-05-10')
    await post('smw-eindhoven', `/v1/matches/${matchId}/coordination/accept`)
    const notCoordinator = await post('school-a', `/v1/matches/${matchId}/coordination/transfer`, {
      organisation: 'amw-eindhoven',
    })
    expect(notCoordinator.statusCode).toBe(409)
    const toPolice = await post('smw-eindhoven', `/v1/matches/${matchId}/coordination/transfer`, {
      organisation: 'police-a',
    })
    expect(toPolice.statusCode).toBe(422)
    const requested = await post('smw-eindhoven', `/v1/matches/${matchId}/coordination/transfer`, {
      organisation: 'amw-eindhoven',
    })
    expect(requested.json().coordination).toMatchObject({
      organisation: { id: 'smw-eindhoven' },
      status: 'accepted',
      pendingTransfer: { organisation: { id: 'amw-eindhoven' } },
    })
    expect((await read('amw-eindhoven', matchId)).statusCode).toBe(200)
    const done = await post('amw-eindhoven', `/v1/matches/${matchId}/coordination/accept`)
    expect(done.json().coordination).toMatchObject({
      organisation: { id: 'amw-eindhoven' },
      status: 'accepted',
      pendingTransfer: null,
    })
    const types = (await queuedEvents(h)).filter((e) => e.matchId === matchId).map((e) => e.type)
    expect(types).toEqual(
      expect.arrayContaining(['coordination.transfer_requested', 'coordination.transferred']),
    )
  })
})

describe('escalation', () => {
  it('reaches each step at its deadline in working days, across a weekend and Koningsdag', async () => {
    h.clock.set('2026-04-23T09:00:00Z') // Thursday
    const { matchId } = await matchOn('2016-05-10')
    expect((await coordinationOf(matchId)).dueAt).toBe('2026-05-01T09:00:00.000Z')
    const ctx = h.app.matchContext
    await runCoordinationDeadlines(ctx, new Date('2026-05-01T08:59:00Z'))
    expect((await coordinationOf(matchId)).escalationLevel).toBe(0)
    expect((await read('cjg-eindhoven', matchId)).statusCode).toBe(404)
    await runCoordinationDeadlines(ctx, new Date('2026-05-01T09:00:00Z'))
    expect((await coordinationOf(matchId)).escalationLevel).toBe(1)
    expect((await read('cjg-eindhoven', matchId)).statusCode).toBe(200)
    expect((await read('gemeente-eindhoven', matchId)).statusCode).toBe(404)
    // Running again at the same moment does nothing twice.
    await runCoordinationDeadlines(ctx, new Date('2026-05-01T09:00:00Z'))
    const escalations = (await queuedEvents(h)).filter(
      (e) => e.matchId === matchId && e.type === 'coordination.escalated',
    )
    expect(escalations).toHaveLength(1)
    expect(((escalations[0]?.organisations ?? []) as { id: string }[]).map((o) => o.id)).toEqual([
      'cjg-eindhoven',
    ])
    // Ten working days: 8 May.
    await runCoordinationDeadlines(ctx, new Date('2026-05-08T08:59:00Z'))
    expect((await coordinationOf(matchId)).escalationLevel).toBe(1)
    await runCoordinationDeadlines(ctx, new Date('2026-05-08T09:00:00Z'))
    expect((await coordinationOf(matchId)).escalationLevel).toBe(2)
    expect((await read('gemeente-eindhoven', matchId)).statusCode).toBe(200)
    // Once the designated organisation accepts, the ladder is over and so is the escalation's need to know.
    const designated = (await coordinationOf(matchId)).organisation.id as string
    expect((await post(designated, `/v1/matches/${matchId}/coordination/accept`)).statusCode).toBe(200)
    for (const org of ['cjg-eindhoven', 'gemeente-eindhoven']) {
      expect((await read(org, matchId)).statusCode).toBe(404)
      const list = await h.app.inject({
        method: 'GET',
        url: '/v1/matches',
        headers: auth(h.token(professional(org))),
      })
      expect(list.json().items.map((m: { id: string }) => m.id)).not.toContain(matchId)
    }
  })

  it('any party may escalate by hand; others may not; the top of the ladder is a conflict', async () => {
    h.clock.set('2026-03-02T09:00:00Z')
    const { matchId } = await matchOn('2016-05-10')
    expect(
      (await post('cjg-eindhoven', `/v1/matches/${matchId}/escalate`, { reason: 'no_contact' })).statusCode,
    ).toBe(404)
    expect(
      (await post('smw-eindhoven', `/v1/matches/${matchId}/escalate`, { reason: 'no_contact' })).statusCode,
    ).toBe(403)
    const first = await post('police-a', `/v1/matches/${matchId}/escalate`, { reason: 'no_contact' })
    expect(first.json().coordination.escalationLevel).toBe(1)
    expect(first.json().coordination.history.at(-1)).toMatchObject({
      event: 'escalated',
      level: 1,
      reason: 'no_contact',
    })
    const second = await post('school-a', `/v1/matches/${matchId}/escalate`, { reason: 'disagreement' })
    expect(second.json().coordination.escalationLevel).toBe(2)
    expect((await post('school-a', `/v1/matches/${matchId}/escalate`, { reason: 'other' })).statusCode).toBe(
      409,
    )
  })

  it('records that a party has coordinated with the others', async () => {
    const { matchId } = await matchOn('2016-05-10')
    h.clock.advance(60_000)
    const res = await post('police-a', `/v1/matches/${matchId}/contacted`)
    expect(res.statusCode).toBe(200)
    expect(res.json().contacted).toEqual([
      {
        organisation: { id: 'police-a', name: 'Organisation police-a', sector: 'police' },
        at: h.clock.now().toISOString(),
      },
    ])
  })
})

describe('re-evaluation', () => {
  it('replaces a proposal when a party joins, and never switches an accepted coordinator silently', async () => {
    h.clock.set('2026-03-02T09:00:00Z')
    const { bsn, matchId } = await matchOn('2016-05-10')
    expect((await coordinationOf(matchId)).organisation.id).toBe('smw-eindhoven')
    // BJZ joins: the bjz-involved rule now decides, replacing the proposal.
    const joined = await registerChild(h, { org: 'bjz-a', bsn, birthDate: '2016-05-10' })
    expect(joined.json().coordination).toMatchObject({ organisation: { id: 'bjz-a' }, status: 'proposed' })
    await post('bjz-a', `/v1/matches/${matchId}/coordination/accept`)
    // BJZ leaves: the outcome is school social work again, but the accepted coordinator is not switched.
    await post('bjz-a', `/v1/registrations/${joined.json().id}/withdraw`, { reason: 'resolved' })
    const c = await coordinationOf(matchId)
    expect(c).toMatchObject({
      organisation: { id: 'bjz-a' },
      status: 'accepted',
      pendingTransfer: { organisation: { id: 'smw-eindhoven' } },
    })
  })

  it('turns a birthday that crosses an age boundary into a new proposal or a pending transfer', async () => {
    h.clock.set('2026-03-02T09:00:00Z')
    const proposed = await matchOn('2022-03-05') // 3 years old: JGZ 0-4
    const accepted = await matchOn('2022-03-05')
    expect((await coordinationOf(proposed.matchId)).organisation.id).toBe('zuidzorg')
    await post('zuidzorg', `/v1/matches/${accepted.matchId}/coordination/accept`)
    const ctx = h.app.matchContext
    expect(await reevaluateBirthdays(ctx, new Date('2026-03-04T12:00:00Z'))).toBe(0)
    h.clock.set('2026-03-05T00:10:00Z')
    expect(await reevaluateBirthdays(ctx, new Date('2026-03-05T00:10:00Z'))).toBe(2)
    expect(await coordinationOf(proposed.matchId)).toMatchObject({
      organisation: { id: 'smw-eindhoven' },
      status: 'proposed',
      ruleId: '4-to-18',
    })
    expect(await coordinationOf(accepted.matchId)).toMatchObject({
      organisation: { id: 'zuidzorg' },
      status: 'accepted',
      pendingTransfer: { organisation: { id: 'smw-eindhoven' } },
    })
    // A second run the same day changes nothing.
    expect(await reevaluateBirthdays(ctx, new Date('2026-03-05T12:00:00Z'))).toBe(0)
  })

  it('ends the coordination when the match closes', async () => {
    const { matchId } = await matchOn('2016-05-10')
    const police = await h.db
      .selectFrom('match.matchParties')
      .select('registrationId')
      .where('matchId', '=', matchId)
      .where('organisationId', '=', 'police-a')
      .executeTakeFirstOrThrow()
    await post('police-a', `/v1/registrations/${police.registrationId}/withdraw`, { reason: 'resolved' })
    expect((await coordinationOf(matchId)).status).toBe('ended')
  })
})
