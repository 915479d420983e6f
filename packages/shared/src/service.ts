import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { DestinationStream } from 'pino'
import type { Registry } from 'prom-client'
import { actorOf } from './actor.js'
import { createServiceApp } from './app.js'
import { recordDenied } from './audit.js'
import { verifySubjectKeyFingerprint } from './bsn.js'
import { type Clock, systemClock } from './clock.js'
import { type Config, loadConfig } from './config.js'
import type { IdempotencyTable } from './db/index.js'
import {
  createDb,
  findOrganisation,
  isDatabaseUnavailable,
  type Organisation,
  type SharedTables,
  sharedView,
} from './db/index.js'
import { queueDepths } from './db/queue-metrics.js'
import { ProblemError } from './errors.js'
import { registerIdempotency } from './idempotency.js'
import { registerDatabaseGauges } from './metrics.js'
import type { OpenApiOptions } from './openapi.js'
import { createQueue, type PgBoss } from './queue.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's organisation, for professional and system tokens (services that check it). */
    organisation?: Organisation
  }
}

/** Connections each service's pg-boss may open, beside DATABASE_POOL_MAX for its own pool. */
export const QUEUE_CONNECTIONS = 2

/** What every service's build takes: infrastructure is injected, so tests swap only what they must. */
export interface ServiceDeps {
  config: Config
  clock?: Clock
  logStream?: DestinationStream
  /** Background workers (queue consumers, schedules); off in tests that only drive HTTP. */
  workers?: boolean
}

/** The infrastructure the kernel opens for a service, handed to its routes and workers. */
export interface ServiceInfra<DB extends SharedTables> {
  config: Config
  db: Kysely<DB>
  /** The service's one pg-boss: events are sent inside transactions; workers consume and schedule. */
  boss: PgBoss
  clock: Clock
  log: FastifyBaseLogger
}

/** Background work a service runs beside its routes; stopped before the queue and the pool close. */
export interface Workers {
  stop(): Promise<void>
}

/** A service as the kernel builds it: its identity, its routes, and its workers. */
export interface ServiceDefinition<DB extends SharedTables> {
  name: string
  title: string
  description: string
  port: (config: Config) => number
  /** Where this service keeps its Idempotency-Key records; none for a service whose POSTs only read. */
  idempotencyTable?: IdempotencyTable
  /** The events the service sends to integrators, described under the document's `webhooks`. */
  webhooks?: OpenApiOptions['webhooks']
  /** Decorates the app and registers the routes. */
  routes(app: FastifyInstance, infra: ServiceInfra<DB>): Promise<void>
  /**
   * Adds the service's own collectors to the registry /metrics serves (beside the HTTP metrics, the
   * queues' depth and access.denied by route, which every service has): e.g. gauges read from the
   * database at scrape time (registerDatabaseGauges), their queries in the service's db/ folder.
   */
  metrics?(registry: Registry, infra: ServiceInfra<DB>): void
  /** Starts queue consumers and schedules (only where `workers` is asked for). */
  workers?(app: FastifyInstance, infra: ServiceInfra<DB>): Promise<Workers>
}

/**
 * The one service kernel: opens the pool (refusing a changed subject key before anything runs), builds
 * the fastify app, starts the service's queue, checks organisations, registers the routes and the
 * workers, and closes everything in the reverse order: workers, queue, pool.
 */
export async function buildService<DB extends SharedTables>(
  definition: ServiceDefinition<DB>,
  deps: ServiceDeps,
): Promise<FastifyInstance> {
  return assemble(definition, deps, true)
}

/**
 * The service's OpenAPI document without a database: the same kernel and routes, with a pool that never
 * connects and a queue that never starts. For generating and checking the typed client (no server needed).
 */
export async function describeService<DB extends SharedTables>(
  definition: ServiceDefinition<DB>,
): Promise<Record<string, unknown>> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'postgres://describe@127.0.0.1:1/none',
    JWT_SECRET: 'describe-only-jwt-secret-never-used-0123456789',
    SUBJECT_KEY_SECRET: 'describe-only-subject-key-never-used-0123456789',
    LOG_LEVEL: 'silent',
  })
  const app = await assemble(definition, { config }, false)
  try {
    await app.ready()
    return app.swagger() as unknown as Record<string, unknown>
  } finally {
    await app.close()
  }
}

async function assemble<DB extends SharedTables>(
  definition: ServiceDefinition<DB>,
  deps: ServiceDeps,
  connect: boolean,
): Promise<FastifyInstance> {
  const { config } = deps
  // The pool opens before the app (and its logger): a lost connection is logged once the app exists.
  let connectionLost = (_error: Error): void => undefined
  const db = connect
    ? await openDatabase<DB>(config, definition.name, (error) => connectionLost(error))
    : createDb<DB>(config.databaseUrl, { max: 1, applicationName: definition.name })
  const clock = deps.clock ?? systemClock
  const app = await createServiceApp({
    serviceName: definition.name,
    title: definition.title,
    description: definition.description,
    config,
    db,
    clock,
    logStream: deps.logStream,
    idempotent: definition.idempotencyTable !== undefined,
    webhooks: definition.webhooks,
  })
  connectionLost = (error) => app.log.warn({ err: error }, 'database connection lost; the pool replaces it')
  const workersWanted = deps.workers ?? false
  // Supervision and cron scheduling only where workers run; pg-boss elects one supervisor at a time.
  const boss = createQueue(config.databaseUrl, {
    supervise: workersWanted,
    schedule: workersWanted,
    max: QUEUE_CONNECTIONS,
    acquireTimeoutMs: config.database.acquireTimeoutMs,
  })
  // pg-boss retries on its own polling interval once the database is back; a lost connection is no reason to stop.
  boss.on('error', (error) =>
    isDatabaseUnavailable(error)
      ? app.log.warn({ err: error }, 'queue: database unavailable')
      : app.log.error({ err: error }, 'queue error'),
  )
  let workers: Workers | undefined
  app.addHook('onClose', async () => {
    // The workers first: a running job still needs the queue and the pool.
    await workers?.stop()
    // Gracefully: a job under way finishes (or is given back after the timeout) before the pool goes.
    if (connect) await boss.stop({ graceful: true, wait: true, timeout: 10_000 })
    await db.destroy()
  })
  try {
    if (connect) await boss.start()
    const infra: ServiceInfra<DB> = { config, db, boss, clock, log: app.log }
    // Every service, unconditionally: a token of an unknown or deactivated organisation may do nothing.
    checkActingOrganisation(app, db)
    if (definition.idempotencyTable) {
      registerIdempotency(app, db, { table: definition.idempotencyTable, secret: config.subjectKeySecret })
    }
    await definition.routes(app, infra)
    registerQueueGauges(app.metrics, sharedView(db))
    definition.metrics?.(app.metrics, infra)
    if (workersWanted && definition.workers) workers = await definition.workers(app, infra)
  } catch (error) {
    await app.close()
    throw error
  }
  return app
}

/**
 * A token acting for an organisation the index does not know, or has deactivated, may do nothing in any
 * service: 403 and an audited denial before any route runs; `request.organisation` is set for the rest.
 */
function checkActingOrganisation<DB extends SharedTables>(app: FastifyInstance, db: Kysely<DB>): void {
  app.addHook('preValidation', async (request) => {
    const org = request.user?.org
    if (!org) return
    const organisation = await findOrganisation(db, org)
    if (!organisation?.active) {
      await recordDenied(db, actorOf(request), { resource: { type: 'organisation', id: org } })
      throw new ProblemError(
        'forbidden',
        `Organisation ${org} is ${organisation ? 'deactivated' : 'not known to this index'}`,
      )
    }
    request.organisation = organisation
  })
}

/** Opens the service's pool and checks the subject-key fingerprint before anything else runs. */
async function openDatabase<DB extends SharedTables>(
  config: Config,
  name: string,
  onConnectionError: (error: Error) => void,
): Promise<Kysely<DB>> {
  const db = createDb<DB>(config.databaseUrl, {
    max: config.databasePoolMax,
    applicationName: name,
    acquireTimeoutMs: config.database.acquireTimeoutMs,
    statementTimeoutMs: config.database.statementTimeoutMs,
    idleInTransactionTimeoutMs: config.database.idleInTransactionTimeoutMs,
    preparedStatements: config.database.preparedStatements,
    onConnectionError,
  })
  try {
    await verifySubjectKeyFingerprint(sharedView(db), config.subjectKeySecret)
  } catch (error) {
    await db.destroy()
    throw error
  }
  return db
}

/** Every service's view of the queues: jobs waiting per queue and the age of the oldest. */
function registerQueueGauges(registry: Registry, db: Kysely<SharedTables>): void {
  registerDatabaseGauges(registry, () => queueDepths(db), [
    {
      name: 'verwijsindex_queue_jobs_waiting',
      help: 'Jobs waiting to run (created, or waiting for a retry), per queue',
      labelNames: ['queue'],
      samples: (depths) => depths.map((d) => ({ labels: { queue: d.queue }, value: d.waiting })),
    },
    {
      name: 'verwijsindex_queue_oldest_waiting_seconds',
      help: 'Age of the oldest job waiting to run, per queue (absent when none waits)',
      labelNames: ['queue'],
      samples: (depths) => depths.map((d) => ({ labels: { queue: d.queue }, value: d.oldestSeconds })),
    },
  ])
}
