import PgBoss from 'pg-boss'
import { connectionTarget } from './db/multi-host.js'

export const QUEUE_SCHEMA = 'pgboss'

export interface QueueOptions {
  /** Runs maintenance and cron scheduling; every replica may, pg-boss elects one at a time. */
  supervise?: boolean
  schedule?: boolean
  max?: number
  /** How long pg-boss waits for a connection before its statement fails (and is retried next poll). */
  acquireTimeoutMs?: number
}

export function createQueue(databaseUrl: string, options: QueueOptions = {}): PgBoss {
  const target = connectionTarget(databaseUrl)
  return new PgBoss({
    connectionString: target.url,
    // pg-boss hands its options to pg.Pool: a multi-host URL gets the primary-finding client there too.
    ...(target.Client ? ({ Client: target.Client } as object) : {}),
    schema: QUEUE_SCHEMA,
    max: options.max ?? 4,
    application_name: 'verwijsindex-queue',
    ...(options.acquireTimeoutMs ? { connectionTimeoutMillis: options.acquireTimeoutMs } : {}),
    supervise: options.supervise ?? true,
    schedule: options.schedule ?? true,
    migrate: false,
  })
}

/** How a queue behaves: its policy, and how long a job may stay active before pg-boss fails and retries it. */
export interface QueueSettings {
  policy: 'standard' | 'short' | 'singleton' | 'stately'
  /**
   * A job whose worker died (killed process, lost connection) stays `active` until this runs out, and
   * only then is retried: short enough that a dead replica does not hold the queue up, longer than a
   * run can take.
   */
  expireInSeconds: number
}

/** How long the worker keeps trying to record a batch's outcome: well inside the queues' 2-minute expiry. */
const SETTLE_FOR_MS = 90_000

/**
 * Runs `record` until it succeeds or SETTLE_FOR_MS has passed, waiting 0.25 s, 0.5 s, … up to 5 s between
 * tries; false when it never succeeded (the jobs' expiry then retries them).
 */
async function persistently(record: () => Promise<unknown>): Promise<boolean> {
  const giveUpAt = Date.now() + SETTLE_FOR_MS
  for (let wait = 250; ; wait = Math.min(wait * 2, 5_000)) {
    try {
      await record()
      return true
    } catch {
      if (Date.now() + wait > giveUpAt) return false
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }
}

/**
 * A job handler that records its jobs' outcome itself, retried while the database is away: pg-boss records
 * it once, without waiting, and gives up at the first error, so a connection lost at that moment left the
 * jobs `active` until their expiry (the fault suite once waited 216 s for a queue to drain, and a scheduled
 * queue runs nothing while its one job is active). Completed here, pg-boss's own completion finds them no
 * longer active and changes nothing; failed here, pg-boss's own failure records the handler's error on
 * them as their output. Every worker of the services goes through `work` or `workAll`.
 */
function settling<T>(
  boss: PgBoss,
  name: string,
  handler: (jobs: PgBoss.Job<T>[]) => Promise<unknown>,
): (jobs: PgBoss.Job<T>[]) => Promise<void> {
  return async (jobs) => {
    const ids = jobs.map((job) => job.id)
    try {
      await handler(jobs)
    } catch (error) {
      await persistently(() => boss.fail(name, ids))
      throw error
    }
    await persistently(() => boss.complete(name, ids))
  }
}

/** `boss.work` with pg-boss's polling, the jobs' outcome recorded as `settling` records it. */
export async function work<T>(
  boss: PgBoss,
  name: string,
  handler: (jobs: PgBoss.Job<T>[]) => Promise<unknown>,
): Promise<string> {
  return boss.work<T>(name, settling(boss, name, handler))
}

/**
 * `boss.work` for a queue that must keep up: pg-boss waits its polling interval (2 s) after every batch,
 * so a worker would take at most `batchSize` jobs per interval however fast it handles them. Here a full
 * batch is followed by the next fetch at once, and an empty or partial one waits half a second (pg-boss's
 * least), so a job waits about a quarter of a second to be taken, not one. Outcomes as `settling` records.
 */
export async function workAll<T>(
  boss: PgBoss,
  name: string,
  batchSize: number,
  handler: (jobs: PgBoss.Job<T>[]) => Promise<void>,
): Promise<string> {
  let id: string | undefined
  const settled = settling(boss, name, handler)
  id = await boss.work<T>(name, { batchSize, pollingIntervalSeconds: 0.5 }, async (jobs) => {
    await settled(jobs)
    if (jobs.length >= batchSize && id) boss.notifyWorker(id)
  })
  return id
}

/** Creates the queue, or brings an existing one to these settings (both idempotent). */
export async function ensureQueue(boss: PgBoss, name: string, settings: QueueSettings): Promise<void> {
  if (await boss.getQueue(name)) await boss.updateQueue(name, { name, ...settings })
  else await boss.createQueue(name, { name, ...settings })
}

/** Installs or upgrades pg-boss's own schema and creates the named queues; part of `npm run migrate`. */
export async function installQueueSchema(
  databaseUrl: string,
  queues: Readonly<Record<string, QueueSettings>>,
): Promise<void> {
  const target = connectionTarget(databaseUrl)
  const boss = new PgBoss({
    connectionString: target.url,
    ...(target.Client ? ({ Client: target.Client } as object) : {}),
    schema: QUEUE_SCHEMA,
    max: 2,
    supervise: false,
    schedule: false,
    migrate: true,
  })
  boss.on('error', () => undefined)
  await boss.start()
  try {
    for (const [name, settings] of Object.entries(queues)) await ensureQueue(boss, name, settings)
  } finally {
    await boss.stop({ graceful: false, wait: true })
  }
}

export type { PgBoss }
