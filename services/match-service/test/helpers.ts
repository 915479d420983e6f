import { PassThrough } from 'node:stream'
import { type Clock, type Config, createDb, ManualClock, type TokenClaims } from '@verwijsindex/shared'
import {
  createTestDatabase,
  professional,
  signToken,
  TEST_JWT_SECRET,
  testConfig,
} from '@verwijsindex/shared/testing'
import type { FastifyInstance } from 'fastify'
import { type Kysely, sql } from 'kysely'
import { buildMatchService } from '../src/app.js'
import type { MatchDatabase } from '../src/db/schema.js'
import { readPreset } from '../src/demo.js'

export interface MatchHarness {
  app: FastifyInstance
  db: Kysely<MatchDatabase>
  config: Config
  clock: ManualClock
  logs: string[]
  token(claims: Partial<TokenClaims>): string
  admin: string
  close(): Promise<void>
}

export { professional }

/** A match-service on a database of its own, with a moved-by-hand clock and captured log lines. */
export async function startMatchService(
  options: { clock?: Clock; env?: Record<string, string>; logLevel?: string } = {},
): Promise<MatchHarness> {
  const database = await createTestDatabase()
  const config = testConfig(database.url, { LOG_LEVEL: options.logLevel ?? 'silent', ...options.env })
  const clock = (options.clock as ManualClock | undefined) ?? new ManualClock('2026-03-02T09:00:00Z')
  const logs: string[] = []
  const logStream = new PassThrough()
  logStream.on('data', (chunk: Buffer) => logs.push(...String(chunk).split('\n').filter(Boolean)))
  const app = await buildMatchService({ config, clock, logStream })
  const db = createDb<MatchDatabase>(database.url, { max: 2 })
  const token = (claims: Partial<TokenClaims>) => signToken(claims, TEST_JWT_SECRET, { now: clock.now() })
  return {
    app,
    db,
    config,
    clock,
    logs,
    token,
    admin: token({ sub: 'admin-1', roles: ['admin'] }),
    async close() {
      await app.close()
      await db.destroy()
      await database.drop()
    },
  }
}

/** The Eindhoven preset and a handful of organisations, created through the admin API. */
export async function seedEindhoven(
  h: MatchHarness,
  extra: { id: string; sector: string; mayCoordinate?: boolean }[] = [],
) {
  const document = await readPreset('eindhoven')
  const put = await h.app.inject({
    method: 'PUT',
    url: '/v1/regions/eindhoven',
    headers: { authorization: `Bearer ${h.admin}` },
    payload: document,
  })
  if (put.statusCode >= 300) throw new Error(`seeding region failed: ${put.body}`)
  const orgs = [
    { id: 'school-a', sector: 'school-po' },
    { id: 'school-b', sector: 'school-vo' },
    { id: 'police-a', sector: 'police' },
    { id: 'zuidzorg', sector: 'jgz-0-4' },
    { id: 'smw-eindhoven', sector: 'school-social-work' },
    { id: 'amw-eindhoven', sector: 'amw' },
    { id: 'bjz-a', sector: 'bjz' },
    { id: 'cjg-eindhoven', sector: 'cjg' },
    { id: 'gemeente-eindhoven', sector: 'municipality' },
    ...extra,
  ]
  for (const org of orgs) {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/organisations',
      headers: { authorization: `Bearer ${h.admin}` },
      payload: {
        name: `Organisation ${org.id}`,
        region: 'eindhoven',
        email: `mailbox@${org.id}.example`,
        ...org,
      },
    })
    if (res.statusCode !== 201) throw new Error(`seeding ${org.id} failed: ${res.body}`)
  }
}

export const auth = (token: string) => ({ authorization: `Bearer ${token}` })

export interface RegisterOptions {
  org: string
  bsn: string
  birthDate?: string
  body?: Record<string, unknown>
  headers?: Record<string, string>
  token?: string
}

/** POST /v1/registrations as a professional of `org`. */
export async function registerChild(h: MatchHarness, options: RegisterOptions) {
  return h.app.inject({
    method: 'POST',
    url: '/v1/registrations',
    headers: { ...auth(options.token ?? h.token(professional(options.org))), ...options.headers },
    payload: {
      bsn: options.bsn,
      birthDate: options.birthDate ?? '2016-05-10',
      kind: 'concern',
      ...options.body,
    },
  })
}

/** The events match-service enqueued for notify-service, oldest first. */
export async function queuedEvents(h: MatchHarness) {
  const { rows } = await sql<{ data: { type: string; matchId: string | null } & Record<string, unknown> }>`
    select data from pgboss.job where name = 'notifications' order by created_on, id`.execute(h.db)
  return rows.map((r) => r.data)
}
