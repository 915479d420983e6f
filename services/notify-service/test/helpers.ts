import {
  type Config,
  createDb,
  createQueue,
  ManualClock,
  type NotificationEvent,
  type PgBoss,
  QUEUES,
  type TokenClaims,
} from '@verwijsindex/shared'
import {
  createTestDatabase,
  signToken,
  TEST_JWT_SECRET,
  type TestDatabase,
  testConfig,
} from '@verwijsindex/shared/testing'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { buildNotifyService } from '../src/app.js'
import type { NotifyDatabase } from '../src/db/schema.js'

export interface NotifyHarness {
  database: TestDatabase
  config: Config
  clock: ManualClock
  app: FastifyInstance
  /** The test's own small pool, to look at what the service wrote. */
  db: Kysely<NotifyDatabase>
  token(claims: Partial<TokenClaims>): string
  admin: string
  /** Enqueues events the way match-service does (pg-boss, queue `notifications`). */
  send(...events: (NotificationEvent | Record<string, unknown>)[]): Promise<void>
  /** Another notify-service on the same database (a restarted or second replica). */
  build(options?: { workers?: boolean; env?: Record<string, string> }): Promise<FastifyInstance>
  close(): Promise<void>
}

export { professional } from '@verwijsindex/shared/testing'

export async function startNotifyService(
  options: { env?: Record<string, string>; clock?: ManualClock; workers?: boolean } = {},
): Promise<NotifyHarness> {
  const database = await createTestDatabase()
  const env = { DATABASE_POOL_MAX: '3', ...options.env }
  const config = testConfig(database.url, env)
  const clock = options.clock ?? new ManualClock('2026-03-02T09:00:00Z')
  const apps: FastifyInstance[] = []
  const build = async (more: { workers?: boolean; env?: Record<string, string> } = {}) => {
    const app = await buildNotifyService({
      config: more.env ? testConfig(database.url, { ...env, ...more.env }) : config,
      clock,
      workers: more.workers ?? false,
    })
    apps.push(app)
    return app
  }
  const app = await build({ workers: options.workers ?? false })
  const db = createDb<NotifyDatabase>(database.url, { max: 2 })
  let boss: PgBoss | undefined
  const token = (claims: Partial<TokenClaims>) => signToken(claims, TEST_JWT_SECRET, { now: clock.now() })
  return {
    database,
    config,
    clock,
    app,
    db,
    token,
    // Signed when asked for: tests move the clock by days, and tokens live an hour.
    get admin() {
      return token({ sub: 'admin-1', roles: ['admin'] })
    },
    async send(...events) {
      if (!boss) {
        boss = createQueue(database.url, { max: 1, supervise: false, schedule: false })
        boss.on('error', () => undefined)
        await boss.start()
      }
      for (const event of events) await boss.send(QUEUES.notifications, event, { retryLimit: 10 })
    },
    build,
    async close() {
      // Apps a test already closed (a worker stopped mid-batch) may close again harmlessly.
      for (const a of apps) await a.close().catch(() => undefined)
      await boss?.stop({ graceful: false, wait: true })
      await db.destroy()
      await database.drop()
    },
  }
}

export async function notificationsOf(db: Kysely<NotifyDatabase>) {
  return db.selectFrom('notify.notifications').selectAll().orderBy('createdAt').orderBy('id').execute()
}

export async function auditActions(db: Kysely<NotifyDatabase>, action: string) {
  return db.selectFrom('audit.events').selectAll().where('action', '=', action).orderBy('id').execute()
}
