import { randomUUID } from 'node:crypto'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import underPressure from '@fastify/under-pressure'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Kysely } from 'kysely'
import type { DestinationStream } from 'pino'
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'
import { z } from 'zod'
import { registerAuth } from './auth.js'
import type { Clock } from './clock.js'
import type { Config } from './config.js'
import { pingDatabase, type SharedTables, sharedView } from './db/index.js'
import { problemSchema, registerProblemHandlers, sendProblem } from './errors.js'
import { createLogger } from './logger.js'
import { type OpenApiOptions, registerOpenApi } from './openapi.js'

declare module 'fastify' {
  interface FastifyInstance {
    serviceName: string
    config: Config
    clock: Clock
    db: Kysely<SharedTables>
    /** Every route this app registered, so a test can demand an audit fixture for each. */
    registeredRoutes: RegisteredRoute[]
  }
}

export interface RegisteredRoute {
  method: string
  url: string
  public: boolean
  roles: readonly string[] | undefined
}

export interface ServiceAppOptions<DB extends SharedTables> {
  serviceName: string
  title: string
  description: string
  config: Config
  db: Kysely<DB>
  clock: Clock
  /** Where log lines go; tests pass a stream to read them back. */
  logStream?: DestinationStream
  /** Whether POSTs take an Idempotency-Key (so the document declares its 409 and 422). */
  idempotent?: boolean
  /** The events the service sends, for the document's `webhooks`. */
  webhooks?: OpenApiOptions['webhooks']
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/

/**
 * The one fastify factory all three services use: zod schemas, OpenAPI at /v1/openapi.json and /docs, helmet, rate limits per
 * token subject, back-pressure, request ids, RFC 9457 problems, auth, health and metrics.
 */
export async function createServiceApp<DB extends SharedTables>(
  options: ServiceAppOptions<DB>,
): Promise<FastifyInstance> {
  const { config } = options
  const app = Fastify({
    loggerInstance: createLogger(
      config.logLevel,
      options.serviceName,
      options.logStream,
    ) as FastifyBaseLogger,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    bodyLimit: 64 * 1024,
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 72_000,
    // Only the configured proxies (the console, a load balancer) may name the client's address, so the audit
    // trail's access point is the browser's and nobody else can forge it.
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    routerOptions: { ignoreTrailingSlash: true },
  })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  app.decorate('serviceName', options.serviceName)
  app.decorate('config', config)
  app.decorate('clock', options.clock)
  app.decorate('db', sharedView(options.db))

  const registry = new Registry()
  registry.setDefaultLabels({ service: options.serviceName })
  collectDefaultMetrics({ register: registry })
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })
  const rejected = new Counter({
    name: 'http_requests_rejected_total',
    help: 'Requests refused before authentication (bad or missing token), which are not in the audit trail',
    labelNames: ['reason'],
    registers: [registry],
  })

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  app.addHook('onResponse', async (request, reply) => {
    duration
      .labels(request.method, request.routeOptions.url ?? 'unknown', String(reply.statusCode))
      .observe(reply.elapsedTime / 1000)
  })

  await app.register(helmet, { global: true })
  await app.register(underPressure, {
    maxEventLoopDelay: 2000,
    exposeStatusRoute: false,
    pressureHandler: (_request, reply, type) => {
      sendProblem(reply.header('retry-after', '10'), 'unavailable', `The service is under pressure (${type})`)
    },
  })
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitPerMinute,
    timeWindow: '1 minute',
    // After authentication, so the limit is per token subject: one busy school system cannot starve others.
    hook: 'preHandler',
    keyGenerator: (request) => (request.user?.sub ? `sub:${request.user.sub}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) => {
      const error = new Error(`Rate limit of ${context.max} requests per ${context.after} exceeded`)
      Object.assign(error, { statusCode: 429 })
      return error
    },
  })
  await registerOpenApi(app, {
    title: options.title,
    description: options.description,
    idempotent: options.idempotent ?? false,
    webhooks: options.webhooks,
  })
  const registeredRoutes: RegisteredRoute[] = []
  app.decorate('registeredRoutes', registeredRoutes)
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue
      const config = route.config as { public?: boolean; roles?: readonly string[] } | undefined
      registeredRoutes.push({ method, url: route.url, public: Boolean(config?.public), roles: config?.roles })
    }
  })
  registerProblemHandlers(app)
  await registerAuth(app, config, (reason) => rejected.labels(reason).inc())

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
        await pingDatabase(options.db)
      } catch (error) {
        request.log.warn({ err: error }, 'database not reachable')
        return sendProblem(reply, 'unavailable', 'The database is not reachable')
      }
      return { status: 'ok' as const, service: options.serviceName }
    },
  )
  typed.get(
    '/metrics',
    { config: { public: true, rateLimit: false }, schema: { hide: true } },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  )
  return app
}
