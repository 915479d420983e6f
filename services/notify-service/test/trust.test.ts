import { ManualClock } from '@verwijsindex/shared'
import { seedOrganisations } from '@verwijsindex/shared/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type NotifyHarness, professional, startNotifyService } from './helpers.js'

/** notify-service refuses what match-service refuses (issue 12): the kernel checks every caller's organisation. */
let h: NotifyHarness
beforeAll(async () => {
  h = await startNotifyService({ clock: new ManualClock(new Date()) })
  await seedOrganisations(h.db, [{ id: 'gesloten-org', active: false }])
})
afterAll(() => h.close())

const call = (method: 'GET' | 'POST', url: string, token: string, payload?: object) =>
  h.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  })
const denied = async (org: string) =>
  Number(
    (
      await sql<{ n: string }>`select count(*) as n from audit.events
        where action = 'access.denied' and actor_organisation = ${org}`.execute(h.db)
    ).rows[0]?.n,
  )

describe('the organisation check', () => {
  it.each(['onbekende-org', 'gesloten-org'])(
    'refuses %s on every route with 403, each audited',
    async (org) => {
      const token = h.token(professional(org))
      const requests = [
        call('GET', '/v1/notifications', token),
        call('GET', '/v1/webhooks', token),
        call('POST', '/v1/webhooks', token, { url: 'https://hooks.example.org/vi' }),
      ]
      for (const [i, res] of (await Promise.all(requests)).entries()) {
        expect(res.statusCode, String(i)).toBe(403)
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/)
      }
      expect(await denied(org)).toBe(3)
      expect(await h.db.selectFrom('notify.webhooks').selectAll().execute()).toEqual([])
    },
  )
})

describe('webhook targets', () => {
  it('refuses loopback in development unless NOTIFY_ALLOW_PRIVATE_WEBHOOKS=true', async () => {
    const token = h.token(professional('basisschool-regenboog'))
    const refused = await call('POST', '/v1/webhooks', token, { url: 'http://127.0.0.1:9/hook' })
    expect(refused.statusCode).toBe(422)
    expect(refused.json().errors[0].pointer).toBe('/url')
    const allowing = await h.build({ env: { NOTIFY_ALLOW_PRIVATE_WEBHOOKS: 'true' } })
    const allowed = await allowing.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: { authorization: `Bearer ${token}` },
      payload: { url: 'http://127.0.0.1:9/hook' },
    })
    expect(allowed.statusCode).toBe(201)
  })
})
