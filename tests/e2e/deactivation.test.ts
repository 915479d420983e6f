import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { professional } from '@verwijsindex/shared/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIRTH_DATE, child, startWorld, type World } from '../suites/world.js'

/** Issue 12, hole 2: what deactivating an organisation means, proven through the three services' APIs. */
let w: World
let server: http.Server
const received: { path: string; body: string }[] = []
beforeAll(async () => {
  w = await startWorld({ NOTIFY_ALLOW_PRIVATE_WEBHOOKS: 'true' })
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') })
      res.statusCode = 204
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
}, 60_000)
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  await w?.close()
})

const admin = () => w.token({ sub: 'admin-1', roles: ['admin'] })
async function call(
  service: 'match' | 'notify',
  method: 'GET' | 'POST' | 'PATCH',
  url: string,
  token: string,
  body?: object,
) {
  const res = await w.apps[service].inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(body ? { payload: body } : {}),
  })
  return { status: res.statusCode, body: res.json() }
}
const hookUrl = (org: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/${org}`

describe('deactivating an organisation', () => {
  it('ends its registrations, tells the parties, re-designates coordination, stops its webhooks; reactivation resurrects nothing', async () => {
    const orgs = ['school-a', 'police-a', 'smw-eindhoven']
    for (const org of orgs) {
      expect(
        (await call('notify', 'POST', '/v1/webhooks', w.token(professional(org)), { url: hookUrl(org) }))
          .status,
      ).toBe(201)
    }
    const registrations: Record<string, string> = {}
    let matchId = ''
    for (const org of orgs) {
      const res = await call('match', 'POST', '/v1/registrations', w.token(professional(org)), {
        bsn: child(40),
        birthDate: BIRTH_DATE,
        kind: 'concern',
      })
      expect(res.status).toBe(201)
      registrations[org] = res.body.id
      matchId = res.body.matchId ?? matchId
    }
    const before = await call('match', 'GET', `/v1/matches/${matchId}`, w.token(professional('school-a')))
    expect(before.status).toBe(200)
    // The designated coordinator is the one deactivated: its coordination must move.
    const gone = before.body.coordination.organisation.id as string
    expect(orgs).toContain(gone)
    const stays = orgs.filter((o) => o !== gone)
    await w.apps.notify.notifier.processEvents()
    await w.apps.notify.notifier.deliverDue()
    expect(received.some((r) => r.path === `/${gone}`)).toBe(true)
    received.length = 0

    const patched = await call('match', 'PATCH', `/v1/organisations/${gone}`, admin(), { active: false })
    expect(patched.status).toBe(200)
    expect(patched.body.active).toBe(false)

    // Its registration ended with the reason, in the same request.
    const { rows } = await sql<{ status: string; endReason: string | null }>`
      select status, end_reason from match.registrations where id = ${registrations[gone]}`.execute(w.db)
    expect(rows).toEqual([{ status: 'ended', endReason: 'organisation_deactivated' }])
    const audited = await sql<{ action: string }>`
      select action from audit.events where resource_id = ${registrations[gone]} and action = 'registration.organisation_deactivated'`.execute(
      w.db,
    )
    expect(audited.rows).toHaveLength(1)

    // The others still share the match; the deactivated one is no party and no longer coordinates.
    const after = await call(
      'match',
      'GET',
      `/v1/matches/${matchId}`,
      w.token(professional(stays[0] as string)),
    )
    expect(after.status).toBe(200)
    const activeParties = (after.body.parties as { organisation: { id: string }; leftAt: string | null }[])
      .filter((p) => p.leftAt === null)
      .map((p) => p.organisation.id)
    expect(activeParties.toSorted()).toEqual(stays.toSorted())
    expect(after.body.coordination.organisation?.id).not.toBe(gone)
    // Re-designated by the region's rules among those left (this preset has no candidate left: escalating).
    expect(after.body.coordination.status).toBe('unassigned')
    expect(after.body.coordination.organisation).toBeNull()

    // Its tokens get 403; the remaining parties are told through their webhooks, the deactivated one is not.
    expect((await call('match', 'GET', '/v1/registrations', w.token(professional(gone)))).status).toBe(403)
    expect((await call('notify', 'GET', '/v1/webhooks', w.token(professional(gone)))).status).toBe(403)
    await w.apps.notify.notifier.processEvents()
    const summary = await w.apps.notify.notifier.deliverDue()
    expect(summary.dead).toBeGreaterThan(0)
    const told = received.map((r) => r.path)
    for (const org of stays) expect(told).toContain(`/${org}`)
    expect(told).not.toContain(`/${gone}`)
    expect(received.some((r) => r.body.includes('match.party_left'))).toBe(true)
    const dead = await sql<{ n: string }>`
      select count(*) as n from notify.notifications
      where organisation_id = ${gone} and status = 'dead' and last_error = 'organisation deactivated'`.execute(
      w.db,
    )
    expect(Number(dead.rows[0]?.n)).toBeGreaterThan(0)

    // Reactivation: tokens work again, the ended registration stays ended, no new registration appears.
    expect(
      (await call('match', 'PATCH', `/v1/organisations/${gone}`, admin(), { active: true })).status,
    ).toBe(200)
    const own = await call(
      'match',
      'GET',
      `/v1/registrations/${registrations[gone]}`,
      w.token(professional(gone)),
    )
    expect(own.status).toBe(200)
    expect(own.body).toMatchObject({ status: 'ended', endReason: 'organisation_deactivated' })
    const active = await call('match', 'GET', '/v1/registrations?status=active', w.token(professional(gone)))
    expect(active.body.items).toEqual([])
  })
})
