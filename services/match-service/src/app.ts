import {
  buildService,
  type ServiceDefinition,
  type ServiceDeps,
  type ServiceInfra,
} from '@verwijsindex/shared'
import type { FastifyInstance } from 'fastify'
import type { MatchContext } from './context.js'
import type { MatchDatabase } from './db/schema.js'
import { startJobs } from './jobs.js'
import { matchMetrics } from './metrics.js'
import { coordinationRoutes } from './routes/coordination.js'
import { excludedAddressRoutes } from './routes/excluded-addresses.js'
import { explainRoutes } from './routes/explain.js'
import { followUpRoutes } from './routes/follow-up.js'
import { matchRoutes } from './routes/matches.js'
import { organisationRoutes } from './routes/organisations.js'
import { regionRoutes } from './routes/regions.js'
import { registrationRoutes } from './routes/registrations.js'
import { statisticsRoutes } from './routes/statistics.js'
import { subjectRoutes } from './routes/subjects.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The service's database, queue and clock, for its scheduled jobs (and tests that run them). */
    matchContext: MatchContext
  }
}

const contextOf = ({ db, boss, clock, config }: ServiceInfra<MatchDatabase>): MatchContext => ({
  db,
  boss,
  clock,
  subjectKeySecret: config.subjectKeySecret,
  statisticsMinCell: config.statisticsMinCell,
})

export const matchService: ServiceDefinition<MatchDatabase> = {
  name: 'match-service',
  title: 'verwijsindex match-service',
  description: 'Registrations (meldingen), matches, care coordination, regions and organisations.',
  port: (config) => config.ports.match,
  idempotencyTable: 'match.idempotency_keys',
  metrics: matchMetrics,
  async routes(app, infra) {
    const ctx = contextOf(infra)
    app.decorate('matchContext', ctx)
    for (const routes of [
      regionRoutes,
      organisationRoutes,
      followUpRoutes,
      registrationRoutes,
      matchRoutes,
      coordinationRoutes,
      explainRoutes,
      subjectRoutes,
      statisticsRoutes,
      excludedAddressRoutes,
    ]) {
      await app.register(routes, { ctx })
    }
  },
  async workers(app) {
    await startJobs(app.matchContext)
    // The jobs run on the kernel's queue, which stops (gracefully) after the workers.
    return { stop: async () => undefined }
  },
}

export const buildMatchService = (deps: ServiceDeps): Promise<FastifyInstance> =>
  buildService(matchService, deps)
