import { buildAuditService } from '@verwijsindex/audit-service'
import { buildMatchService } from '@verwijsindex/match-service'
import { buildNotifyService } from '@verwijsindex/notify-service'
import type { ServiceDeps } from '@verwijsindex/shared'
import { createTestDatabase, type TestDatabase, testConfig } from '@verwijsindex/shared/testing'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const services: [string, (deps: ServiceDeps) => Promise<FastifyInstance>][] = [
  ['match-service', buildMatchService],
  ['notify-service', buildNotifyService],
  ['audit-service', buildAuditService],
]

let database: TestDatabase
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(() => database.drop())

describe.each(services)('%s', (name, build) => {
  let app: FastifyInstance
  beforeAll(async () => {
    app = await build({ config: testConfig(database.url) })
  })
  afterAll(() => app.close())

  it('answers live and ready without a token', async () => {
    const live = await app.inject({ method: 'GET', url: '/health/live' })
    expect(live.json()).toEqual({ status: 'ok', service: name })
    const ready = await app.inject({ method: 'GET', url: '/health/ready' })
    expect(ready.statusCode).toBe(200)
  })

  it('serves Prometheus metrics, including request durations', async () => {
    await app.inject({ method: 'GET', url: '/health/live' })
    const res = await app.inject({ method: 'GET', url: '/metrics' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/text\/plain/)
    expect(res.body).toMatch(new RegExp(`http_request_duration_seconds_count\\{.*service="${name}"`))
    expect(res.body).toContain('process_cpu_user_seconds_total')
  })

  it('serves its OpenAPI document and UI', async () => {
    const json = await app.inject({ method: 'GET', url: '/docs/json' })
    expect(json.statusCode).toBe(200)
    expect(json.json()).toMatchObject({ openapi: '3.1.0', info: { title: `verwijsindex ${name}` } })
    const ui = await app.inject({ method: 'GET', url: '/docs' })
    expect([200, 302]).toContain(ui.statusCode)
  })

  it('needs a token on every route but health, metrics and docs', async () => {
    const guarded = app.registeredRoutes.filter((route) => !route.public)
    expect(guarded.length).toBeGreaterThan(0)
    for (const route of guarded) {
      // Path parameters get a value of the right shape, so only the missing token can refuse.
      const url = route.url.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000')
      const res = await app.inject({ method: route.method as 'GET', url })
      expect({ route: `${route.method} ${route.url}`, status: res.statusCode }).toEqual({
        route: `${route.method} ${route.url}`,
        status: 401,
      })
      expect(res.headers['content-type']).toMatch(/problem\+json/)
    }
    const publicRoutes = app.registeredRoutes.filter((route) => route.public).map((route) => route.url)
    expect(publicRoutes.every((url) => /^\/(health|metrics|docs)/.test(url))).toBe(true)
  })

  it('answers an unknown route with a 404 problem', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/anything' })
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toMatch(/problem\+json/)
  })
})

describe('readiness', () => {
  it('answers 503 when the database is gone', async () => {
    const own = await createTestDatabase()
    const app = await buildAuditService({ config: testConfig(own.url) })
    await own.drop()
    const res = await app.inject({ method: 'GET', url: '/health/ready' })
    expect(res.statusCode).toBe(503)
    expect(res.json()).toMatchObject({ code: 'unavailable' })
    await app.close()
  })
})
