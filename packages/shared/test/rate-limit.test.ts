import { buildMatchService } from '@verwijsindex/match-service'
import {
  createTestDatabase,
  signToken,
  TEST_JWT_SECRET,
  type TestDatabase,
  testConfig,
} from '@verwijsindex/shared/testing'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let database: TestDatabase
let app: FastifyInstance
beforeAll(async () => {
  database = await createTestDatabase()
  app = await buildMatchService({ config: testConfig(database.url, { RATE_LIMIT_PER_MINUTE: '3' }) })
})
afterAll(async () => {
  await app.close()
  await database.drop()
})

const as = (sub: string) => ({
  authorization: `Bearer ${signToken({ sub, roles: ['auditor'] }, TEST_JWT_SECRET)}`,
})

describe('rate limits', () => {
  it('count per token subject, not per address, and answer 429 problems', async () => {
    for (let i = 0; i < 3; i++) {
      expect(
        (await app.inject({ method: 'GET', url: '/v1/regions', headers: as('busy-system') })).statusCode,
      ).toBe(200)
    }
    const limited = await app.inject({ method: 'GET', url: '/v1/regions', headers: as('busy-system') })
    expect(limited.statusCode).toBe(429)
    expect(limited.headers['content-type']).toMatch(/problem\+json/)
    expect(limited.json()).toMatchObject({ code: 'rate_limited', status: 429 })
    // Another subject from the same address is not held back, and health checks never are.
    expect(
      (await app.inject({ method: 'GET', url: '/v1/regions', headers: as('quiet-system') })).statusCode,
    ).toBe(200)
    for (let i = 0; i < 5; i++)
      expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200)
  })
})
