import {
  auditDenied,
  createServiceApp,
  openDatabase,
  ProblemError,
  resolveClock,
  type ServiceDeps,
} from '@verwijsindex/shared'
import type { FastifyInstance } from 'fastify'
import { getOrganisation } from './db/organisations.js'
import type { MatchDatabase, Organisation } from './db/schema.js'
import { organisationRoutes } from './routes/organisations.js'
import { regionRoutes } from './routes/regions.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's organisation, for professional and system tokens. */
    organisation?: Organisation
  }
}

export async function buildMatchService(deps: ServiceDeps): Promise<FastifyInstance> {
  const db = await openDatabase<MatchDatabase>(deps.config, 'match-service')
  const app = await createServiceApp({
    serviceName: 'match-service',
    title: 'verwijsindex match-service',
    description: 'Registrations (meldingen), matches, care coordination, regions and organisations.',
    config: deps.config,
    db,
    clock: resolveClock(deps),
    logStream: deps.logStream,
  })
  app.addHook('onClose', async () => db.destroy())

  // A token acting for an organisation the index does not know, or has deactivated, may do nothing here.
  app.addHook('preValidation', async (request) => {
    const org = request.user?.org
    if (!org) return
    const organisation = await getOrganisation(db, org)
    if (!organisation?.active) {
      await auditDenied(db, request, { resource: { type: 'organisation', id: org } })
      throw new ProblemError(
        'forbidden',
        `Organisation ${org} is ${organisation ? 'deactivated' : 'not known to this index'}`,
      )
    }
    request.organisation = organisation
  })

  await app.register(regionRoutes, { db })
  await app.register(organisationRoutes, { db })
  return app
}
