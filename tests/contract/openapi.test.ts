import { readFile } from 'node:fs/promises'
import { buildAuditService } from '@verwijsindex/audit-service'
import { buildMatchService } from '@verwijsindex/match-service'
import { buildNotifyService } from '@verwijsindex/notify-service'
import { API_VERSION, type ServiceDeps, type SharedTables } from '@verwijsindex/shared'
import { type ServiceFixture, startService } from '@verwijsindex/shared/testing'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ContractReport, checkContract } from '../../scripts/openapi/check.js'

/**
 * The contract integrators rely on, checked on what each service serves: valid OpenAPI 3.1 without
 * dangling references, clean under Redocly's recommended rules and the NL API Design Rules ruleset, and
 * identical to the document the typed client was generated from. A route that breaks it fails here.
 */
const services: [string, (deps: ServiceDeps) => Promise<FastifyInstance>][] = [
  ['match-service', buildMatchService],
  ['notify-service', buildNotifyService],
  ['audit-service', buildAuditService],
]

const rootVersion = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')).version

describe.each(services)('%s', (name, build) => {
  let fixture: ServiceFixture<SharedTables>
  let document: Record<string, unknown>
  let report: ContractReport
  beforeAll(async () => {
    fixture = await startService(build)
    const res = await fixture.app.inject({ method: 'GET', url: '/v1/openapi.json' })
    expect(res.statusCode).toBe(200)
    document = res.json()
    report = await checkContract(document)
  })
  afterAll(() => fixture?.close())

  it('has no unresolved references and passes swagger-parser', () => {
    expect(report.unresolvedRefs).toEqual([])
    expect(report.swaggerParser).toBeUndefined()
  })

  it("has no errors under Redocly's recommended ruleset", () => {
    expect(report.redocly.errors).toEqual([])
  })

  it('has no errors under the NL API Design Rules ruleset', () => {
    expect(report.nlApiDesignRules.errors).toEqual([])
  })

  it('states the package version, the /v1 server, contact and licence', () => {
    expect(API_VERSION).toBe(rootVersion)
    expect(document).toMatchObject({
      openapi: '3.1.0',
      info: {
        version: rootVersion,
        license: { identifier: 'EUPL-1.2' },
        contact: { email: expect.any(String) },
      },
      servers: [{ url: '/v1' }],
    })
  })

  it('answers API-Version on every response, errors included', async () => {
    for (const url of ['/v1/openapi.json', '/v1/no-such-route', '/health/live']) {
      const res = await fixture.app.inject({ method: 'GET', url })
      expect(res.headers['api-version'], url).toBe(rootVersion)
    }
  })

  it('is the document the typed client was generated from (npm run client:generate)', async () => {
    const committed = JSON.parse(
      await readFile(new URL(`../../packages/client/openapi/${name}.json`, import.meta.url), 'utf8'),
    )
    expect(document).toEqual(committed)
  })
})
