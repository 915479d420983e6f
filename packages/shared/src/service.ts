import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { DestinationStream } from 'pino'
import { verifySubjectKeyFingerprint } from './bsn.js'
import { type Clock, systemClock } from './clock.js'
import { type Config, loadConfigOrExit } from './config.js'
import { createDb, type SharedTables, sharedView } from './db.js'

/** What every service's `build` takes: infrastructure is injected so tests swap only what they must. */
export interface ServiceDeps {
  config: Config
  clock?: Clock
  logStream?: DestinationStream
  /** Background workers (queue consumers, schedules); off in tests that only drive HTTP. */
  workers?: boolean
}

export type BuildService = (deps: ServiceDeps) => Promise<FastifyInstance>

/** Opens the service's pool and checks the subject-key fingerprint before anything else runs. */
export async function openDatabase<DB extends SharedTables>(
  config: Config,
  name: string,
): Promise<Kysely<DB>> {
  const db = createDb<DB>(config.databaseUrl, { max: config.databasePoolMax, applicationName: name })
  try {
    await verifySubjectKeyFingerprint(sharedView(db), config.subjectKeySecret)
  } catch (error) {
    await db.destroy()
    throw error
  }
  return db
}

export function resolveClock(deps: ServiceDeps): Clock {
  return deps.clock ?? systemClock
}

/** Entry point of a standalone service process (docker-compose, or `npm start -w`). */
export async function runService(build: BuildService, port: (config: Config) => number): Promise<void> {
  const config = loadConfigOrExit()
  let app: FastifyInstance
  try {
    app = await build({ config, workers: true })
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }
  closeWithGrace({ delay: 10_000 }, async ({ err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error')
    await app.close()
  })
  await app.listen({ port: port(config), host: config.host })
}
