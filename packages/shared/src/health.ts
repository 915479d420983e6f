import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Kysely } from 'kysely'
import type { Registry } from 'prom-client'
import { z } from 'zod'
import { pingDatabase, type SharedTables } from './db/index.js'
import { problemSchema, RETRY_AFTER_SECONDS, sendProblem } from './errors.js'

interface OperationalRouteOptions {
  serviceName: string
  db: Kysely<SharedTables>
  registry: Registry
  readyTimeoutMs: number
}

/** Liveness, readiness and metrics: public, not rate-limited, outside the versioned API (docs/operations.md). */
export function registerOperationalRoutes(app: FastifyInstance, options: OperationalRouteOptions): void {
  const { registry } = options
  const typed = app.withTypeProvider<ZodTypeProvider>()
  const health = z.object({ status: z.enum(['ok']), service: z.string() })
  typed.get(
    '/health/live',
    {
      config: { public: true, rateLimit: false },
      schema: { hide: true, response: { 200: health } },
    },
    async () => ({ status: 'ok' as const, service: options.serviceName }),
  )
  typed.get(
    '/health/ready',
    {
      config: { public: true, rateLimit: false },
      // Operational, outside the versioned API: docs/operations.md describes it.
      schema: { hide: true, response: { 200: health, 503: problemSchema } },
    },
    async (request, reply) => {
      try {
        await pingDatabase(options.db, options.readyTimeoutMs)
      } catch (error) {
        request.log.warn({ err: error }, 'database not reachable')
        return sendProblem(
          reply.header('retry-after', String(RETRY_AFTER_SECONDS)),
          'unavailable',
          'The database is not reachable',
        )
      }
      return { status: 'ok' as const, service: options.serviceName }
    },
  )
  typed.get(
    '/metrics',
    { config: { public: true, rateLimit: false }, schema: { hide: true } },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  )
}
