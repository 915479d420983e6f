import { buildMatchService } from '@verwijsindex/match-service'
import type { SharedTables } from '@verwijsindex/shared'
import { type ServiceFixture, startService } from '@verwijsindex/shared/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * NEN 7513's access point: behind the console the audit trail must record the browser's address, which
 * the console forwards in X-Forwarded-For. Only the configured proxies may name it; anyone else's header
 * is ignored, so nobody can forge the address in the trail.
 */
describe('TRUSTED_PROXIES', () => {
  let svc: ServiceFixture<SharedTables>
  beforeAll(async () => {
    svc = await startService(buildMatchService, { env: { TRUSTED_PROXIES: '10.0.0.1' } })
  })
  afterAll(async () => svc?.close())

  const lastClientIp = async (requestId: string) => {
    const { rows } = await sql<{ clientIp: string }>`
      select client_ip as "clientIp" from audit.events where request_id = ${requestId}`.execute(svc.db)
    return rows.map((r) => r.clientIp)
  }

  it("records the forwarded browser address when the console's address forwards it", async () => {
    const res = await svc.app.inject({
      method: 'GET',
      url: '/v1/organisations',
      remoteAddress: '10.0.0.1',
      headers: {
        authorization: `Bearer ${svc.admin}`,
        'x-forwarded-for': '203.0.113.7',
        'x-request-id': 'trusted-1',
      },
    })
    expect(res.statusCode).toBe(200)
    expect(await lastClientIp('trusted-1')).toEqual(['203.0.113.7'])
  })

  it('ignores the header from any other address', async () => {
    const res = await svc.app.inject({
      method: 'GET',
      url: '/v1/organisations',
      remoteAddress: '10.0.0.2',
      headers: {
        authorization: `Bearer ${svc.admin}`,
        'x-forwarded-for': '203.0.113.7',
        'x-request-id': 'untrusted-1',
      },
    })
    expect(res.statusCode).toBe(200)
    expect(await lastClientIp('untrusted-1')).toEqual(['10.0.0.2'])
  })
})
