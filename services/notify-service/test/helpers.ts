import {
  type Config,
  createQueue,
  type ManualClock,
  type NotificationEvent,
  type PgBoss,
  QUEUES,
  type TokenClaims,
} from '@verwijsindex/shared'
import { seedOrganisations, startService, type TestDatabase } from '@verwijsindex/shared/testing'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { buildNotifyService } from '../src/app.js'
import type { NotifyDatabase } from '../src/db/schema.js'
import { ORGS } from './events.js'

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
  const fixture = await startService<NotifyDatabase>(buildNotifyService, {
    ...options,
    env: { DATABASE_POOL_MAX: '3', ...options.env },
  })
  // Every service refuses tokens of organisations the index does not know: these are the ones tests use.
  await seedOrganisations(fixture.db, Object.values(ORGS))
  let boss: PgBoss | undefined
  return {
    ...fixture,
    get admin() {
      return fixture.admin
    },
    build: fixture.another,
    async send(...events) {
      if (!boss) {
        boss = createQueue(fixture.database.url, { max: 1, supervise: false, schedule: false })
        boss.on('error', () => undefined)
        await boss.start()
      }
      for (const event of events) await boss.send(QUEUES.notifications, event, { retryLimit: 10 })
    },
    async close() {
      await boss?.stop({ graceful: false, wait: true })
      await fixture.close()
    },
  }
}

export async function notificationsOf(db: Kysely<NotifyDatabase>) {
  return db.selectFrom('notify.notifications').selectAll().orderBy('createdAt').orderBy('id').execute()
}

export async function auditActions(db: Kysely<NotifyDatabase>, action: string) {
  return db.selectFrom('audit.events').selectAll().where('action', '=', action).orderBy('id').execute()
}
