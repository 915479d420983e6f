import type { Clock, Config } from '@verwijsindex/shared'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { NotifyDatabase } from '../db/schema.js'

/** The name this service writes into the audit trail and its logs. */
export const SERVICE_NAME = 'notify-service'

/** The infrastructure every use case of notify-service works with; the app (or a job runner) builds it once. */
export interface NotifyContext {
  db: Kysely<NotifyDatabase>
  config: Config
  clock: Clock
  log: FastifyBaseLogger
}
