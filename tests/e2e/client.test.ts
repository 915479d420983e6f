import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { buildAuditService } from '@verwijsindex/audit-service'
import { createAuditClient, createMatchClient, createNotifyClient } from '@verwijsindex/client'
import { buildMatchService } from '@verwijsindex/match-service'
import { readPreset } from '@verwijsindex/match-service/demo'
import { buildNotifyService } from '@verwijsindex/notify-service'
import type { TokenClaims } from '@verwijsindex/shared'
import {
  createTestDatabase,
  professional,
  signToken,
  TEST_JWT_SECRET,
  type TestDatabase,
  testConfig,
} from '@verwijsindex/shared/testing'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * The typed client (packages/client) against the three services listening on real ports, as an
 * integrator's system would use it: register from two organisations, see the match, accept coordination,
 * and read the child's access report.
 */
const token = (claims: Partial<TokenClaims>) => signToken(claims, TEST_JWT_SECRET)
const BSN = '111222333'

let database: TestDatabase
const apps: FastifyInstance[] = []
const urls: Record<'match' | 'notify' | 'audit', string> = { match: '', notify: '', audit: '' }

beforeAll(async () => {
  database = await createTestDatabase()
  const config = testConfig(database.url, { DATABASE_POOL_MAX: '3' })
  for (const [name, build] of [
    ['match', buildMatchService],
    ['notify', buildNotifyService],
    ['audit', buildAuditService],
  ] as const) {
    const app = await build({ config })
    apps.push(app)
    await app.listen({ host: '127.0.0.1', port: 0 })
    urls[name] = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  }
  const admin = createMatchClient(urls.match, token({ sub: 'admin-1', roles: ['admin'] }))
  const region = await admin.PUT('/regions/{code}', {
    params: { path: { code: 'eindhoven' } },
    body: (await readPreset('eindhoven')) as never,
  })
  expect(region.response.status).toBe(201)
  for (const [id, sector] of [
    ['school-a', 'school-po'],
    ['police-a', 'police'],
    ['smw-eindhoven', 'school-social-work'],
  ] as const) {
    const created = await admin.POST('/organisations', {
      body: { id, name: `Organisation ${id}`, sector, region: 'eindhoven', email: `mailbox@${id}.example` },
    })
    expect(created.response.status).toBe(201)
  }
})

afterAll(async () => {
  for (const app of apps) await app.close()
  await database?.drop()
})

describe('the typed client', () => {
  it('drives register → match → coordination accept → subject report across the three services', async () => {
    const school = createMatchClient(urls.match, token(professional('school-a')))
    const police = createMatchClient(urls.match, () => token(professional('police-a')))

    const first = await school.POST('/registrations', {
      body: { bsn: BSN, birthDate: '2016-05-10', kind: 'concern', externalReference: 'LLN-2041' },
    })
    expect(first.response.status).toBe(201)
    expect(first.response.headers.get('api-version')).toMatch(/^\d+\.\d+\.\d+/)
    expect(first.data?.matchId).toBeNull()

    const second = await police.POST('/registrations', {
      body: { bsn: BSN, birthDate: '2016-05-10', kind: 'involvement' },
    })
    expect(second.response.status).toBe(201)
    const matchId = second.data?.matchId
    expect(matchId).toEqual(expect.any(String))

    const match = await school.GET('/matches/{id}', { params: { path: { id: matchId! } } })
    expect(match.data?.parties.map((p) => p.organisation.id).sort()).toEqual(['police-a', 'school-a'])
    expect(match.data?.coordination?.organisation?.id).toBe('smw-eindhoven')
    expect(match.data?.coordination?.status).toBe('proposed')

    const coordinator = createMatchClient(urls.match, token(professional('smw-eindhoven')))
    const accepted = await coordinator.POST('/matches/{id}/coordination/accept', {
      params: { path: { id: matchId! } },
    })
    expect(accepted.response.status).toBe(200)
    expect(accepted.data?.coordination?.status).toBe('accepted')

    const privacyOfficer = createAuditClient(
      urls.audit,
      token({ sub: 'privacy-1', roles: ['privacy_officer'] }),
    )
    const report = await privacyOfficer.POST('/audit/subject-report', { body: { bsn: BSN } })
    expect(report.response.status).toBe(200)
    const actions = report.data?.items.map((a) => `${a.actor.organisation ?? '-'} ${a.action}`)
    expect(actions).toEqual(
      expect.arrayContaining([
        'school-a registration.create',
        'police-a registration.create',
        'smw-eindhoven coordination.accept',
      ]),
    )
  })

  it('answers errors as typed problems, with the status and the field at fault', async () => {
    const school = createMatchClient(urls.match, token(professional('school-a')))
    const refused = await school.POST('/registrations', {
      body: { bsn: '123456789', birthDate: '2016-05-10', kind: 'concern' },
    })
    expect(refused.response.status).toBe(400)
    expect(refused.response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(refused.error?.code).toBe('validation_failed')
    expect(refused.error?.errors?.map((e) => e.pointer)).toContain('/bsn')
  })

  it('reaches notify-service with the organisation token', async () => {
    const notify = createNotifyClient(urls.notify, token(professional('school-a')))
    const webhooks = await notify.GET('/webhooks')
    expect(webhooks.response.status).toBe(200)
    expect(webhooks.data?.items).toEqual([])
  })

  it("registers with the document's own example body (Swagger UI 'Try it out') on the first try", async () => {
    const document = JSON.parse(
      await readFile(new URL('../../packages/client/openapi/match-service.json', import.meta.url), 'utf8'),
    )
    const example =
      document.paths['/registrations'].post.requestBody.content['application/json'].schema.example
    const res = await fetch(`${urls.match}${document.servers[0].url}/registrations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token(professional('smw-eindhoven'))}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(example),
    })
    expect(res.status).toBe(201)
  })
})
