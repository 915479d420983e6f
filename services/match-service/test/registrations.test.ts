import { purgeIdempotencyKeys } from '@verwijsindex/shared'
import { generateBsn } from '@verwijsindex/shared/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readPreset } from '../src/demo.js'
import {
  auth,
  type MatchHarness,
  professional,
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

const registrations = async () =>
  h.db.selectFrom('match.registrations').selectAll().orderBy('createdAt').execute()

describe('POST /v1/registrations', () => {
  it('registers, and answers with the registration but never the BSN or subject key', async () => {
    const bsn = generateBsn(1)
    const res = await registerChild(h, { org: 'school-a', bsn, body: { externalReference: 'LLN-2041' } })
    expect(res.statusCode).toBe(201)
    const body = res.json()
    expect(body).toMatchObject({
      organisation: { id: 'school-a', sector: 'school-po' },
      kind: 'concern',
      status: 'active',
      externalReference: 'LLN-2041',
      contact: { name: 'Professional of school-a', email: 'pro@school-a.example', phone: '+31 6 1234 5678' },
      matchId: null,
      historyAvailable: false,
    })
    // The Eindhoven default: 365 days.
    expect(new Date(body.endsAt).getTime() - new Date(body.createdAt).getTime()).toBe(365 * 86_400_000)
    const [row] = await registrations()
    expect(res.body).not.toContain(bsn)
    expect(res.body).not.toContain(row?.subjectKey)
  })

  it('is idempotent per organisation and child: 200 with the existing registration, unchanged', async () => {
    const bsn = generateBsn(2)
    const first = await registerChild(h, { org: 'school-a', bsn })
    const again = await registerChild(h, {
      org: 'school-a',
      bsn,
      body: { kind: 'involvement', durationDays: 30 },
    })
    expect(again.statusCode).toBe(200)
    expect(again.json()).toEqual(first.json())
  })

  it.each([
    ['reason', { reason: 'vermoeden van verwaarlozing' }],
    ['notes', { notes: 'vader drinkt' }],
    ['nested unknown field', { contact: { name: 'A', email: 'a@b.nl', phone: '0612345678', remark: 'x' } }],
  ])('refuses a %s with 400 naming it, and stores nothing', async (_name, extra) => {
    const before = (await registrations()).length
    const res = await registerChild(h, { org: 'school-a', bsn: generateBsn(3), body: extra })
    expect(res.statusCode).toBe(400)
    const pointers = res.json().errors.map((e: { pointer: string }) => e.pointer)
    const field = Object.keys(extra)[0] === 'contact' ? '/contact/remark' : `/${Object.keys(extra)[0]}`
    expect(pointers).toContain(field)
    expect((await registrations()).length).toBe(before)
  })

  it('refuses an invalid BSN with 400 on /bsn', async () => {
    const res = await registerChild(h, { org: 'school-a', bsn: '123456789' })
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toEqual([{ pointer: '/bsn', message: expect.stringMatching(/elfproef/) }])
    expect(res.body).not.toContain('123456789')
  })

  it('refuses a birth date in the future, and age 23 or more, with 422 (age 22 is fine)', async () => {
    // The clock stands at 2026-03-02.
    const future = await registerChild(h, { org: 'school-a', bsn: generateBsn(4), birthDate: '2026-03-03' })
    expect(future.statusCode).toBe(422)
    expect(future.json().errors[0].pointer).toBe('/birthDate')
    const turned23Today = await registerChild(h, {
      org: 'school-a',
      bsn: generateBsn(4),
      birthDate: '2003-03-02',
    })
    expect(turned23Today.statusCode).toBe(422)
    const turns23Tomorrow = await registerChild(h, {
      org: 'school-a',
      bsn: generateBsn(4),
      birthDate: '2003-03-03',
    })
    expect(turns23Tomorrow.statusCode).toBe(201)
  })

  it("refuses a duration above the region's maximum with 422", async () => {
    const res = await registerChild(h, { org: 'school-a', bsn: generateBsn(5), body: { durationDays: 731 } })
    expect(res.statusCode).toBe(400)
    await h.app.inject({
      method: 'PUT',
      url: '/v1/regions/eindhoven',
      headers: auth(h.admin),
      payload: {
        ...(await readPreset('eindhoven')),
        registration: { defaultDurationDays: 180, maxDurationDays: 365 },
      },
    })
    const over = await registerChild(h, { org: 'school-a', bsn: generateBsn(5), body: { durationDays: 400 } })
    expect(over.statusCode).toBe(422)
    expect(over.json().errors[0]).toMatchObject({
      pointer: '/durationDays',
      message: expect.stringMatching(/365/),
    })
    const fine = await registerChild(h, { org: 'school-a', bsn: generateBsn(5) })
    expect(new Date(fine.json().endsAt).getTime() - new Date(fine.json().createdAt).getTime()).toBe(
      180 * 86_400_000,
    )
  })

  it('takes contact from a system token body, requires it, and audits on whose behalf', async () => {
    const system = h.token({ sub: 'parnassys-koppeling', org: 'school-b', roles: ['system'] })
    const without = await registerChild(h, { org: 'school-b', bsn: generateBsn(6), token: system })
    expect(without.statusCode).toBe(422)
    expect(without.json().errors[0].pointer).toBe('/contact')
    const contact = { name: 'J. de Vries', email: 'j.devries@school-b.example', phone: '040-1234567' }
    const res = await registerChild(h, {
      org: 'school-b',
      bsn: generateBsn(6),
      token: system,
      body: { contact },
    })
    expect(res.statusCode).toBe(201)
    expect(res.json().contact).toEqual(contact)
    const audit = await h.db
      .selectFrom('audit.events')
      .selectAll()
      .where('action', '=', 'registration.create')
      .where('resourceId', '=', res.json().id)
      .executeTakeFirstOrThrow()
    expect(audit).toMatchObject({
      actorId: 'parnassys-koppeling',
      actorOrganisation: 'school-b',
      actorOnBehalfOf: contact.email,
    })
    expect(audit.subjectKey).toMatch(/^[0-9a-f]{64}$/)
  })

  it('is refused to operator roles', async () => {
    const res = await registerChild(h, { org: 'school-a', bsn: generateBsn(7), token: h.admin })
    expect(res.statusCode).toBe(403)
  })
})

describe('reading, changing and withdrawing registrations', () => {
  it("reads its own registrations; another organisation's answers 404 and is audited", async () => {
    const created = (await registerChild(h, { org: 'school-b', bsn: generateBsn(10) })).json()
    const own = await h.app.inject({
      method: 'GET',
      url: `/v1/registrations/${created.id}`,
      headers: auth(h.token(professional('school-b'))),
    })
    expect(own.statusCode).toBe(200)
    expect(own.json()).toEqual(created)
    const other = await h.app.inject({
      method: 'GET',
      url: `/v1/registrations/${created.id}`,
      headers: auth(h.token(professional('police-a'))),
    })
    expect(other.statusCode).toBe(404)
    const missing = await h.app.inject({
      method: 'GET',
      url: '/v1/registrations/00000000-0000-4000-8000-000000000000',
      headers: auth(h.token(professional('police-a'))),
    })
    expect(missing.statusCode).toBe(404)
    expect(missing.json().code).toBe(other.json().code)
    const denied = await h.db
      .selectFrom('audit.events')
      .selectAll()
      .where('action', '=', 'access.denied')
      .where('resourceId', '=', created.id)
      .execute()
    expect(denied).toHaveLength(1)
    expect(denied[0]).toMatchObject({ outcome: 'denied', actorOrganisation: 'police-a' })
  })

  it('lists its own registrations newest first, with a cursor and a status filter', async () => {
    const org = 'amw-eindhoven'
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      h.clock.advance(1000)
      ids.push((await registerChild(h, { org, bsn: generateBsn(20 + i) })).json().id)
    }
    const token = h.token(professional(org))
    const first = await h.app.inject({
      method: 'GET',
      url: '/v1/registrations?limit=2',
      headers: auth(token),
    })
    expect(first.json().items.map((r: { id: string }) => r.id)).toEqual([ids[4], ids[3]])
    const second = await h.app.inject({
      method: 'GET',
      url: `/v1/registrations?limit=2&cursor=${first.json().nextCursor}`,
      headers: auth(token),
    })
    expect(second.json().items.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]])
    const third = await h.app.inject({
      method: 'GET',
      url: `/v1/registrations?limit=2&cursor=${second.json().nextCursor}`,
      headers: auth(token),
    })
    expect(third.json()).toMatchObject({ items: [{ id: ids[0] }], nextCursor: null })
    await h.app.inject({
      method: 'POST',
      url: `/v1/registrations/${ids[0]}/withdraw`,
      headers: auth(token),
      payload: { reason: 'resolved' },
    })
    const ended = await h.app.inject({
      method: 'GET',
      url: '/v1/registrations?status=ended',
      headers: auth(token),
    })
    expect(ended.json().items.map((r: { id: string }) => r.id)).toEqual([ids[0]])
    const bad = await h.app.inject({
      method: 'GET',
      url: '/v1/registrations?cursor=garbage',
      headers: auth(token),
    })
    expect(bad.statusCode).toBe(400)
  })

  it('changes contact and duration within the legal maximum from creation', async () => {
    const token = h.token(professional('bjz-a'))
    const created = (await registerChild(h, { org: 'bjz-a', bsn: generateBsn(30) })).json()
    const contact = { name: 'Nieuwe Collega', email: 'nieuw@bjz-a.example', phone: '+31 40 555 0000' }
    const res = await h.app.inject({
      method: 'PATCH',
      url: `/v1/registrations/${created.id}`,
      headers: auth(token),
      payload: { contact, durationDays: 300 },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json().contact).toEqual(contact)
    expect(new Date(res.json().endsAt).getTime() - new Date(created.createdAt).getTime()).toBe(
      300 * 86_400_000,
    )
    const tooLong = await h.app.inject({
      method: 'PATCH',
      url: `/v1/registrations/${created.id}`,
      headers: auth(token),
      payload: { durationDays: 700 },
    })
    expect(tooLong.statusCode).toBe(422)
    const empty = await h.app.inject({
      method: 'PATCH',
      url: `/v1/registrations/${created.id}`,
      headers: auth(token),
      payload: {},
    })
    expect(empty.statusCode).toBe(400)
  })

  it('withdraws with a reason code; a second withdrawal is a conflict', async () => {
    const token = h.token(professional('cjg-eindhoven'))
    const created = (await registerChild(h, { org: 'cjg-eindhoven', bsn: generateBsn(31) })).json()
    const bad = await h.app.inject({
      method: 'POST',
      url: `/v1/registrations/${created.id}/withdraw`,
      headers: auth(token),
      payload: { reason: 'because' },
    })
    expect(bad.statusCode).toBe(400)
    const res = await h.app.inject({
      method: 'POST',
      url: `/v1/registrations/${created.id}/withdraw`,
      headers: auth(token),
      payload: { reason: 'resolved' },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ status: 'ended', endReason: 'resolved', matchId: null })
    const again = await h.app.inject({
      method: 'POST',
      url: `/v1/registrations/${created.id}/withdraw`,
      headers: auth(token),
      payload: { reason: 'resolved' },
    })
    expect(again.statusCode).toBe(409)
  })
})

describe('Idempotency-Key', () => {
  it('replays the first answer to a retry, refuses the key for another request, and stores no BSN', async () => {
    const token = h.token(professional('gemeente-eindhoven'))
    const bsn = generateBsn(40)
    const created = (await registerChild(h, { org: 'gemeente-eindhoven', bsn })).json()
    const withdraw = () =>
      h.app.inject({
        method: 'POST',
        url: `/v1/registrations/${created.id}/withdraw`,
        headers: { ...auth(token), 'idempotency-key': 'withdraw-7f3a' },
        payload: { reason: 'resolved' },
      })
    const first = await withdraw()
    const retry = await withdraw()
    expect(first.statusCode).toBe(200)
    expect(retry.statusCode).toBe(200)
    expect(retry.headers['idempotent-replayed']).toBe('true')
    expect(retry.json()).toEqual(first.json())
    const reused = await registerChild(h, {
      org: 'gemeente-eindhoven',
      bsn,
      headers: { 'idempotency-key': 'withdraw-7f3a' },
    })
    expect(reused.statusCode).toBe(201) // another route: its own key space
    const registerWithKey = (b: string) =>
      registerChild(h, { org: 'gemeente-eindhoven', bsn: b, headers: { 'idempotency-key': 'reg-1' } })
    expect((await registerWithKey(generateBsn(41))).statusCode).toBe(201)
    const different = await registerWithKey(generateBsn(42))
    expect(different.statusCode).toBe(422)
    const records = JSON.stringify(await h.db.selectFrom('match.idempotencyKeys').selectAll().execute())
    expect(records).toContain('withdraw-7f3a')
    for (const b of [bsn, generateBsn(41), generateBsn(42)]) expect(records).not.toContain(b)
  })

  it('stores nothing for POSTs that only read, and forgets keys after a day', async () => {
    const officer = h.token({ sub: 'fg-1', roles: ['privacy_officer'] })
    const before = await h.db.selectFrom('match.idempotencyKeys').select('key').execute()
    const lookup = await h.app.inject({
      method: 'POST',
      url: '/v1/subjects/lookup',
      headers: { ...auth(officer), 'idempotency-key': 'lookup-1' },
      payload: { bsn: generateBsn(40) },
    })
    expect(lookup.statusCode).toBe(200)
    expect(await h.db.selectFrom('match.idempotencyKeys').select('key').execute()).toEqual(before)
    expect(
      await purgeIdempotencyKeys(
        h.db,
        'match.idempotency_keys',
        new Date(h.clock.now().getTime() + 25 * 3_600_000),
      ),
    ).toBe(before.length)
  })
})

describe('the two paths of a registration', () => {
  // A registration on a child nobody is active on is one SQL statement (migration 0080); one on a child
  // another organisation is active on goes the general path. Both must store the same.
  it('store the same registration and audit event on a fresh child as on a child already registered', async () => {
    const bsn = generateBsn(9101)
    const body = {
      kind: 'involvement',
      externalReference: 'REF-9101',
      municipality: '0772',
      durationDays: 30,
    }
    const system = (org: string) =>
      h.token({ sub: `system-${org}`, org, roles: ['system'], name: undefined, email: undefined })
    const contact = { name: 'M. de Vries', email: 'm.devries@example.org', phone: '+31 40 000 0000' }
    const fresh = await registerChild(h, {
      org: 'police-a',
      bsn,
      token: system('police-a'),
      body: { ...body, contact },
    })
    const joining = await registerChild(h, {
      org: 'bjz-a',
      bsn,
      token: system('bjz-a'),
      body: { ...body, contact },
    })
    expect([fresh.statusCode, joining.statusCode]).toEqual([201, 201])
    expect(joining.json().matchId).not.toBeNull()

    const ids = [fresh.json().id, joining.json().id]
    const rows = await h.db.selectFrom('match.registrations').selectAll().where('id', 'in', ids).execute()
    const stored = (id: string) => {
      const {
        id: _id,
        organisationId: _org,
        createdBy,
        createdAt,
        endsAt,
        ...rest
      } = rows.find((r) => r.id === id)!
      return {
        ...rest,
        createdBy: createdBy.replace(/police-a|bjz-a/, 'org'),
        days: (endsAt.getTime() - createdAt.getTime()) / 86_400_000,
      }
    }
    expect(stored(ids[0])).toEqual(stored(ids[1]))
    expect(stored(ids[0])).toMatchObject({
      kind: 'involvement',
      status: 'active',
      externalReference: 'REF-9101',
      municipality: '0772',
      contactEmail: contact.email,
      days: 30,
    })

    const events = await h.db
      .selectFrom('audit.events')
      .select([
        'resourceId',
        'occurredAt',
        'service',
        'action',
        'outcome',
        'actorId',
        'actorOrganisation',
        'actorRoles',
        'actorOnBehalfOf',
        'subjectKey',
        'resourceType',
        'clientIp',
        'userAgent',
        'purpose',
      ])
      .where('action', '=', 'registration.create')
      .where('resourceId', 'in', ids)
      .execute()
    const event = (id: string) => {
      const { resourceId, actorId, actorOrganisation, occurredAt, ...rest } = events.find(
        (e) => e.resourceId === id,
      )!
      return {
        ...rest,
        actorId: actorId?.replace(/police-a|bjz-a/, 'org'),
        actorOrganisation: actorOrganisation?.replace(/police-a|bjz-a/, 'org'),
        at: occurredAt instanceof Date,
      }
    }
    expect(events).toHaveLength(2)
    expect(event(ids[0])).toEqual(event(ids[1]))
    expect(event(ids[0])).toMatchObject({
      actorRoles: ['system'],
      actorOnBehalfOf: contact.email,
      resourceType: 'registration',
      outcome: 'success',
      at: true,
    })
  })
})
