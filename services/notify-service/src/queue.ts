import { type Config, createQueue, type PgBoss } from '@verwijsindex/shared'
import type { FastifyBaseLogger } from 'fastify'

export interface LazyQueue {
  /** The pg-boss instance, started on first use. */
  get(): Promise<PgBoss>
  stop(): Promise<void>
}

/**
 * notify-service's pg-boss, started when first needed: at once by the workers (supervising, so the purge
 * schedule runs), or by a test that drains the queue by hand.
 */
export function lazyQueue(
  config: Config,
  log: FastifyBaseLogger,
  options: { supervise: boolean },
): LazyQueue {
  let started: Promise<PgBoss> | null = null
  return {
    get() {
      started ??= (async () => {
        const boss = createQueue(config.databaseUrl, {
          max: 2,
          supervise: options.supervise,
          schedule: options.supervise,
        })
        boss.on('error', (error) => log.error({ err: error }, 'queue error'))
        await boss.start()
        return boss
      })()
      // A failed start (database away) is tried again on the next use.
      started.catch(() => {
        started = null
      })
      return started
    },
    async stop() {
      const boss = await started?.catch(() => null)
      await boss?.stop({ graceful: true, wait: true, timeout: 10_000 })
    },
  }
}
