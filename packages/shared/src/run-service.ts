import cluster from 'node:cluster'
import closeWithGrace from 'close-with-grace'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { loadConfigOrExit } from './config.js'
import { isDatabaseUnavailable, type SharedTables } from './db/index.js'
import { drainOnceAsked, runsBackgroundWork, superviseHttpProcesses } from './http-processes.js'
import { createLogger } from './logger.js'
import { buildService, type ServiceDefinition } from './service.js'

/**
 * Entry point of a standalone service (the container, or `npm start -w`): one process, or with
 * HTTP_PROCESSES > 1 a primary that supervises that many (http-processes.ts), each entering here too.
 */
export async function runService<DB extends SharedTables>(definition: ServiceDefinition<DB>): Promise<void> {
  const config = loadConfigOrExit()
  const clustered = config.httpProcesses > 1
  if (clustered && cluster.isPrimary) {
    superviseHttpProcesses(config.httpProcesses, createLogger(config.logLevel, definition.name))
    stopWithSupervisor()
    return
  }
  let app: FastifyInstance
  try {
    app = await buildService(definition, { config, workers: runsBackgroundWork() })
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }
  // An HTTP process of several drains once however it is asked (drainOnceAsked); a single one on a signal.
  const signals = clustered ? (['SIGINT', 'SIGTERM'] as const) : []
  const graceful = closeWithGrace(
    { delay: 10_000, skip: ['unhandledRejection', ...signals] },
    async ({ err }) => {
      if (err) app.log.error({ err }, 'shutting down after an error')
      await app.close()
    },
  )
  survivePromisesRejectedByLostConnections(app.log)
  if (clustered) drainOnceAsked(graceful.close)
  else stopWithSupervisor()
  await app.listen({ port: definition.port(config), host: config.host })
}

/**
 * A service `npm start` started (with an IPC channel) stops gracefully when that supervisor is gone, even
 * killed: no orphaned service keeps its port and connections.
 */
export function stopWithSupervisor(): void {
  if (process.send) process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'))
}

/**
 * pg-boss (10.x) completes and fails jobs without awaiting the promise: with the database away, that
 * rejection is unhandled, and close-with-grace would end the process for it. A rejection that means "the
 * database is not reachable" is logged and ridden out (pg-boss retries the job after its expiry); any
 * other unhandled rejection is still a bug that ends the process, as an uncaught exception.
 */
export function survivePromisesRejectedByLostConnections(log: Pick<FastifyBaseLogger, 'warn'>): void {
  process.on('unhandledRejection', (reason) => {
    if (isDatabaseUnavailable(reason)) {
      log.warn({ err: reason }, 'database unavailable (unhandled rejection ridden out)')
      return
    }
    throw reason
  })
}
