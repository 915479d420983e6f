import { subjectKey } from '@verwijsindex/shared'
import { generateBsn, TEST_SUBJECT_KEY_SECRET } from '@verwijsindex/shared/testing'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildMatchService } from '../src/app.js'
import { destroyAtAgeLimit } from '../src/use-cases/destroy-at-age-limit.js'
import { expireRegistrations } from '../src/use-cases/expire-registrations.js'
import { purgeArchive } from '../src/use-cases/purge-archive.js'
import { remindEndingSoon } from '../src/use-cases/remind-ending-soon.js'
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
let second: FastifyInstance
beforeAll(async () => {
  h = await startMatchService()
  await seedEindhoven(h)
  second = await buildMatchService({ config: h.config, clock: h.clock })
})
afterAll(async () => {
  await second.close()
  await h.close()
})

let seed = 7000
const DAY = 86_400_000
const post = (org: string, url: string, payload?: object) =>
  h.app.inject({
    method: 'POST',
    url,
    headers: auth(h.token(professional(org))),
    ...(payload ? { payload } : {}),
  })
const get = (org: string, url: string) =>
  h.app.inject({ method: 'GET', url, headers: auth(h.token(professional(org))) })
const keyOf = (bsn: string) => subjectKey(bsn, TEST_SUBJECT_KEY_SECRET)

/** Every row of every table, in every schema but the audit trail, that mentions the subject key. */
async function rowsAbout(key: string): Promise<Record<string, number>> {
  const { rows: tables } = await sql<{ schema: string; name: string }>`
    select table_schema as schema, table_name as name from information_schema.tables
    where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema', 'audit')`.execute(
    h.db,
  )
  const found: Record<string, number> = {}
  for (const { schema, name } of tables) {
    const { rows } = await sql<{
      n: number
    }>`select count(*)::int as n from ${sql.table(`${schema}.${name}`)} t where t::text like ${`%${key}%`}`.execute(
      h.db,
    )
    if ((rows[0]?.n ?? 0) > 0) found[schema === 'match' ? name : `${schema}.${name}`] = rows[0]!.n
  }
  return found
}

describe('the end of a registration’s duration', () => {
  it('ends it by the same path as a withdrawal; the archive never matches', async () => {
    h.clock.set('2026-03-02T09:00:00Z')
    const bsn = generateBsn(seed++)
    const school = (await registerChild(h, { org: 'school-a', bsn, body: { durationDays: 30 } })).json()
    const police = (await registerChild(h, { org: 'police-a', bsn })).json()
    const matchId = police.matchId
    expect(
      await expireRegistrations(h.app.matchContext, new Date(h.clock.now().getTime() + 30 * DAY - 1000)),
    ).toBe(0)
    h.clock.advance(30 * DAY)
    expect(await expireRegistrations(h.app.matchContext, h.clock.now())).toBe(1)
    const expired = (await get('school-a', `/v1/registrations/${school.id}`)).json()
    expect(expired).toMatchObject({ status: 'ended', endReason: 'expired', matchId: null })
    expect((await get('police-a', `/v1/matches/${matchId}`)).json()).toMatchObject({ status: 'closed' })
    const types = (await queuedEvents(h))
      .filter((e) => e.matchId === matchId || e.registrationId === school.id)
      .map((e) => e.type)
    expect(types).toEqual(expect.arrayContaining(['match.party_left', 'match.closed', 'registration.ended']))
    // A third organisation registers: the expired registration is archived and does not count.
    const amw = (await registerChild(h, { org: 'amw-eindhoven', bsn })).json()
    expect(amw.matchId).not.toBeNull()
    const m = (await get('amw-eindhoven', `/v1/matches/${amw.matchId}`)).json()
    expect(m.parties.map((p: { organisation: { id: string } }) => p.organisation.id).sort()).toEqual([
      'amw-eindhoven',
      'police-a',
    ])
    expect(amw.historyAvailable).toBe(true)
  })

  it('reminds the registrant once, 30 days before the end', async () => {
    h.clock.set('2026-03-02T09:00:00Z')
    const reg = (
      await registerChild(h, { org: 'bjz-a', bsn: generateBsn(seed++), body: { durationDays: 60 } })
    ).json()
    const ctx = h.app.matchContext
    await remindEndingSoon(ctx, new Date(h.clock.now().getTime() + 29 * DAY))
    expect(
      (await queuedEvents(h)).filter(
        (e) => e.type === 'registration.ending_soon' && e.registrationId === reg.id,
      ),
    ).toHaveLength(0)
    const at = new Date(h.clock.now().getTime() + 30 * DAY)
    await Promise.all([remindEndingSoon(ctx, at), remindEndingSoon(second.matchContext, at)])
    await remindEndingSoon(ctx, new Date(at.getTime() + DAY))
    const reminders = (await queuedEvents(h)).filter(
      (e) => e.type === 'registration.ending_soon' && e.registrationId === reg.id,
    )
    expect(reminders).toHaveLength(1)
    expect(reminders[0]).toMatchObject({ endsAt: reg.endsAt, parties: [{ organisation: { id: 'bjz-a' } }] })
  })

  it('two instances running the expiry job at once end each registration once', async () => {
    h.clock.set('2026-03-02T09:00:00Z')
    const ids: string[] = []
    for (let i = 0; i < 6; i++) {
      const bsn = generateBsn(seed++)
      ids.push((await registerChild(h, { org: 'cjg-eindhoven', bsn, body: { durationDays: 10 } })).json().id)
      await registerChild(h, { org: 'gemeente-eindhoven', bsn, body: { durationDays: 10 } })
    }
    const at = new Date(h.clock.now().getTime() + 10 * DAY)
    const [a, b] = await Promise.all([
      expireRegistrations(h.app.matchContext, at),
      expireRegistrations(second.matchContext, at),
    ])
    expect(a + b).toBe(12)
    const ended = (await queuedEvents(h)).filter(
      (e) => e.type === 'registration.ended' && ids.includes(e.registrationId as string),
    )
    expect(ended).toHaveLength(6)
    const expiredAudit = await h.db
      .selectFrom('audit.events')
      .select('resourceId')
      .where('action', '=', 'registration.expire')
      .where('resourceId', 'in', ids)
      .execute()
    expect(expiredAudit).toHaveLength(6)
  })
})

describe('the 23rd birthday', () => {
  it('destroys everything about the child, once, and keeps only the audit trail', async () => {
    h.clock.set('2026-03-02T09:00:00Z')
    const bsn = generateBsn(seed++)
    await registerChild(h, { org: 'school-b', bsn, birthDate: '2003-03-05' })
    const reg = (await registerChild(h, { org: 'amw-eindhoven', bsn, birthDate: '2003-03-05' })).json()
    await post('school-b', `/v1/matches/${reg.matchId}/escalate`, { reason: 'no_contact' })
    await post('school-b', `/v1/matches/${reg.matchId}/contacted`)
    const key = keyOf(bsn)
    expect(Object.keys(await rowsAbout(key))).toEqual(
      expect.arrayContaining(['subjects', 'registrations', 'matches', 'match_parties', 'coordinations']),
    )

    expect(await destroyAtAgeLimit(h.app.matchContext, new Date('2026-03-04T22:59:00Z'))).toBe(0) // 23:59 on the 4th in Amsterdam
    const at = new Date('2026-03-04T23:00:00Z') // midnight: the 5th in Amsterdam
    const [a, b] = await Promise.all([
      destroyAtAgeLimit(h.app.matchContext, at),
      destroyAtAgeLimit(second.matchContext, at),
    ])
    expect(a + b).toBe(1)
    expect(await rowsAbout(key)).toEqual({})
    const types = (await queuedEvents(h)).filter((e) => e.matchId === reg.matchId).map((e) => e.type)
    expect(types).toEqual(expect.arrayContaining(['match.party_left', 'match.closed']))
    expect((await get('amw-eindhoven', `/v1/matches/${reg.matchId}`)).statusCode).toBe(404)
    const audit = await h.db
      .selectFrom('audit.events')
      .select('action')
      .where('subjectKey', '=', key)
      .execute()
    expect(audit.map((e) => e.action)).toEqual(
      expect.arrayContaining(['registration.create', 'subject.destroy']),
    )
  })
})

describe('the history archive', () => {
  it('is flagged, given on request with a purpose (audited), and destroyed 5 years after the end', async () => {
    h.clock.set('2026-03-02T09:00:00Z')
    const bsn = generateBsn(seed++)
    const police = (await registerChild(h, { org: 'police-a', bsn })).json()
    const school = (await registerChild(h, { org: 'school-a', bsn })).json()
    h.clock.set('2026-04-01T09:00:00Z')
    await post('police-a', `/v1/registrations/${police.id}/withdraw`, { reason: 'resolved' })
    expect((await get('school-a', `/v1/registrations/${school.id}`)).json().historyAvailable).toBe(true)
    expect((await get('police-a', `/v1/registrations/${police.id}`)).json().historyAvailable).toBe(false)

    const missingPurpose = await post('school-a', `/v1/registrations/${school.id}/history`, {})
    expect(missingPurpose.statusCode).toBe(400)
    const history = await post('school-a', `/v1/registrations/${school.id}/history`, {
      purpose: 'assessment',
    })
    expect(history.json()).toEqual({
      items: [
        {
          organisation: { id: 'police-a', name: 'Organisation police-a', sector: 'police' },
          contact: {
            name: 'Professional of police-a',
            email: 'pro@police-a.example',
            phone: '+31 6 1234 5678',
          },
          kind: 'concern',
          period: { from: '2026-03-02T09:00:00.000Z', to: '2026-04-01T09:00:00.000Z' },
        },
      ],
    })
    const audit = await h.db
      .selectFrom('audit.events')
      .selectAll()
      .where('action', '=', 'registration.history')
      .where('resourceId', '=', school.id)
      .executeTakeFirstOrThrow()
    expect(audit).toMatchObject({
      purpose: 'assessment',
      actorOrganisation: 'school-a',
      subjectKey: keyOf(bsn),
    })
    expect(
      (await post('police-a', `/v1/registrations/${police.id}/history`, { purpose: 'other' })).statusCode,
    ).toBe(409)

    const ctx = h.app.matchContext
    await purgeArchive(ctx, new Date('2031-04-01T08:59:00Z'))
    expect(
      await h.db.selectFrom('match.registrations').select('id').where('id', '=', police.id).execute(),
    ).toHaveLength(1)
    await Promise.all([
      purgeArchive(ctx, new Date('2031-04-01T09:00:00Z')),
      purgeArchive(second.matchContext, new Date('2031-04-01T09:00:00Z')),
    ])
    expect(
      await h.db.selectFrom('match.registrations').select('id').where('id', '=', police.id).execute(),
    ).toEqual([])
    expect((await get('school-a', `/v1/registrations/${school.id}`)).json().historyAvailable).toBe(false)
    // The closed match still has school-a's party row, so it stays until that registration is purged too.
    const { rows } = await sql<{
      n: number
    }>`select count(*)::int as n from match.matches where id = ${police.matchId ?? school.matchId}`.execute(
      h.db,
    )
    expect(rows[0]?.n).toBe(1)
  })
})

describe('the privacy officer', () => {
  const officer = () =>
    h.token({ sub: 'fg-1', roles: ['privacy_officer'], name: 'Functionaris Gegevensbescherming' })

  it('looks up exactly what is held, and erases all of it but the audit trail', async () => {
    h.clock.set('2026-03-02T09:00:00Z')
    const bsn = generateBsn(seed++)
    const other = generateBsn(seed++)
    const a = (await registerChild(h, { org: 'school-b', bsn, body: { externalReference: 'LLN-7' } })).json()
    h.clock.advance(DAY)
    const b = (await registerChild(h, { org: 'bjz-a', bsn })).json()
    await post('school-b', `/v1/registrations/${a.id}/withdraw`, { reason: 'unjustified' })
    const c = (await registerChild(h, { org: 'amw-eindhoven', bsn })).json()
    await registerChild(h, { org: 'amw-eindhoven', bsn: other })

    const professionalTry = await h.app.inject({
      method: 'POST',
      url: '/v1/subjects/lookup',
      headers: auth(h.token(professional('bjz-a'))),
      payload: { bsn },
    })
    expect(professionalTry.statusCode).toBe(403)
    const lookup = await h.app.inject({
      method: 'POST',
      url: '/v1/subjects/lookup',
      headers: auth(officer()),
      payload: { bsn },
    })
    expect(lookup.statusCode).toBe(200)
    const held = lookup.json()
    expect(held.held).toBe(true)
    expect(held.birthDate).toBe('2016-05-10')
    expect(
      held.registrations.map((r: { id: string; status: string; endReason: string | null }) => [
        r.id,
        r.status,
        r.endReason,
      ]),
    ).toEqual([
      [a.id, 'ended', 'unjustified'],
      [b.id, 'active', null],
      [c.id, 'active', null],
    ])
    expect(held.registrations[0]).toMatchObject({
      externalReference: 'LLN-7',
      organisation: { id: 'school-b' },
    })
    // The first match closed when school-b withdrew; amw's registration formed a new one with bjz-a.
    expect(
      held.matches.map((m: { status: string; parties: unknown[] }) => [m.status, m.parties.length]),
    ).toEqual([
      ['closed', 2],
      ['open', 2],
    ])
    expect(held.matches[1].coordination).not.toBeNull()
    expect(lookup.body).not.toContain(bsn)

    const nobody = await h.app.inject({
      method: 'POST',
      url: '/v1/subjects/lookup',
      headers: auth(officer()),
      payload: { bsn: generateBsn(99_999) },
    })
    expect(nobody.json()).toEqual({ held: false, birthDate: null, registrations: [], matches: [] })

    const erase = await h.app.inject({
      method: 'POST',
      url: '/v1/subjects/erase',
      headers: auth(officer()),
      payload: { bsn, reason: 'objection' },
    })
    expect(erase.json()).toEqual({ erased: { registrations: 3, matches: 2 } })
    expect(await rowsAbout(keyOf(bsn))).toEqual({})
    expect(Object.keys(await rowsAbout(keyOf(other)))).toContain('registrations')
    const types = (await queuedEvents(h)).filter((e) => e.matchId === c.matchId).map((e) => e.type)
    expect(types).toContain('match.closed')
    const audit = await h.db
      .selectFrom('audit.events')
      .selectAll()
      .where('subjectKey', '=', keyOf(bsn))
      .where('action', 'in', ['subject.lookup', 'subject.erase'])
      .execute()
    expect(audit.map((e) => [e.action, e.actorId, e.purpose])).toEqual([
      ['subject.lookup', 'fg-1', null],
      ['subject.erase', 'fg-1', 'objection'],
    ])
    const after = await h.app.inject({
      method: 'POST',
      url: '/v1/subjects/lookup',
      headers: auth(officer()),
      payload: { bsn },
    })
    expect(after.json().held).toBe(false)
  })
})
