import { PassThrough } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { TokenClaims } from '../auth.js'
import { type Clock, ManualClock } from '../clock.js'
import type { Config } from '../config.js'
import { createDb, type SharedTables } from '../db/index.js'
import type { ServiceDeps } from '../service.js'
import { TEST_JWT_SECRET, testConfig } from './config.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { signToken } from './tokens.js'

/** Where every test's clock starts: a Monday morning in Amsterdam. */
export const TEST_START = '2026-03-02T09:00:00Z'

export interface ServiceFixture<DB> {
  app: FastifyInstance
  database: TestDatabase
  /** The test's own small pool, to look at what the service wrote. */
  db: Kysely<DB>
  config: Config
  clock: ManualClock
  /** The service's log lines, when a log level was asked for. */
  logs: string[]
  /** A token with these claims, signed on the fixture's clock. */
  token(claims: Partial<TokenClaims>): string
  /** An admin token, signed when asked for: tests move the clock by days, and tokens live an hour. */
  readonly admin: string
  /** Another instance of the service on the same database (a restarted or second replica). */
  another(options?: { workers?: boolean; env?: Record<string, string> }): Promise<FastifyInstance>
  close(): Promise<void>
}

export interface ServiceFixtureOptions {
  clock?: Clock
  env?: Record<string, string>
  logLevel?: string
  workers?: boolean
  /** Connections of the test's own pool. */
  poolMax?: number
}

/**
 * Any service on a database of its own (cloned from the migrated template), with a clock moved by hand,
 * captured log lines and token signing: the one fixture every service's tests start from.
 */
export async function startService<DB extends SharedTables>(
  build: (deps: ServiceDeps) => Promise<FastifyInstance>,
  options: ServiceFixtureOptions = {},
): Promise<ServiceFixture<DB>> {
  const database = await createTestDatabase()
  const env = { LOG_LEVEL: options.logLevel ?? 'silent', ...options.env }
  const config = testConfig(database.url, env)
  const clock = (options.clock as ManualClock | undefined) ?? new ManualClock(TEST_START)
  const logs: string[] = []
  const logStream = new PassThrough()
  logStream.on('data', (chunk: Buffer) => logs.push(...String(chunk).split('\n').filter(Boolean)))
  const apps: FastifyInstance[] = []
  const another = async (more: { workers?: boolean; env?: Record<string, string> } = {}) => {
    const instance = await build({
      config: more.env ? testConfig(database.url, { ...env, ...more.env }) : config,
      clock,
      logStream,
      workers: more.workers ?? false,
    })
    apps.push(instance)
    return instance
  }
  const app = await another({ workers: options.workers ?? false })
  const db = createDb<DB>(database.url, { max: options.poolMax ?? 2 })
  const token = (claims: Partial<TokenClaims>) => signToken(claims, TEST_JWT_SECRET, { now: clock.now() })
  return {
    app,
    database,
    db,
    config,
    clock,
    logs,
    token,
    get admin() {
      return token({ sub: 'admin-1', roles: ['admin'] })
    },
    another,
    async close() {
      // Apps a test already closed (a worker stopped mid-test) may close again harmlessly.
      for (const instance of apps) await instance.close().catch(() => undefined)
      await db.destroy()
      await database.drop()
    },
  }
}
