import {
  actorOf,
  createQueue,
  createServiceApp,
  openDatabase,
  registerIdempotency,
  resolveClock,
  type ServiceDeps,
} from '@verwijsindex/shared'
import type { FastifyInstance } from 'fastify'
import type { MatchContext } from './context.js'
import type { MatchDatabase, Organisation } from './db/schema.js'
import { startJobs } from './jobs.js'
import { coordinationRoutes } from './routes/coordination.js'
import { explainRoutes } from './routes/explain.js'
import { matchRoutes } from './routes/matches.js'
import { organisationRoutes } from './routes/organisations.js'
import { regionRoutes } from './routes/regions.js'
import { registrationRoutes } from './routes/registrations.js'
import { subjectRoutes } from './routes/subjects.js'
import { actingOrganisation } from './use-cases/organisations.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The service's database, queue and clock, for its scheduled jobs (and tests that run them). */
    matchContext: MatchContext
  }
  interface FastifyRequest {
    /** The caller's organisation, for professional and system tokens. */
    organisation?: Organisation
  }
}

export async function buildMatchService(deps: ServiceDeps): Promise<FastifyInstance> {
  const db = await openDatabase<MatchDatabase>(deps.config, 'match-service')
  const clock = resolveClock(deps)
  const app = await createServiceApp({
    serviceName: 'match-service',
    title: 'verwijsindex match-service',
    description: 'Registrations (meldingen), matches, care coordination, regions and organisations.',
    config: deps.config,
    db,
    clock,
    logStream: deps.logStream,
  })
  // Used to enqueue events inside our own transactions; workers (schedules) only where asked for.
  const boss = createQueue(deps.config.databaseUrl, {
    supervise: deps.workers ?? false,
    schedule: deps.workers ?? false,
    max: 2,
  })
  boss.on('error', (error) => app.log.error({ err: error }, 'queue error'))
  await boss.start()
  app.addHook('onClose', async () => {
    await boss.stop({ graceful: false, wait: true })
    await db.destroy()
  })
  const ctx: MatchContext = { db, boss, clock, subjectKeySecret: deps.config.subjectKeySecret }

  // A token acting for an organisation the index does not know, or has deactivated, may do nothing here.
  app.addHook('preValidation', async (request) => {
    const org = request.user?.org
    if (org) request.organisation = await actingOrganisation(ctx, actorOf(request), org)
  })

  app.decorate('matchContext', ctx)
  registerIdempotency(app, db, { table: 'match.idempotency_keys', secret: deps.config.subjectKeySecret })
  await app.register(regionRoutes, { ctx })
  await app.register(organisationRoutes, { ctx })
  await app.register(registrationRoutes, { ctx })
  await app.register(matchRoutes, { ctx })
  await app.register(coordinationRoutes, { ctx })
  await app.register(explainRoutes, { ctx })
  await app.register(subjectRoutes, { ctx })
  if (deps.workers) await startJobs(ctx)
  return app
}
