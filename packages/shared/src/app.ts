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
import { actorOf } from './actor.js'
import { onAccessDenied, recordRateLimited } from './audit.js'
import { registerAuth } from './auth.js'
import type { Clock } from './clock.js'
import type { Config } from './config.js'
import { pingDatabase, type SharedTables, sharedView } from './db/index.js'
import { ProblemError, problemSchema, registerProblemHandlers, sendProblem } from './errors.js'
import { createLogger } from './logger.js'
import { type OpenApiOptions, registerOpenApi } from './openapi.js'
import { findUnsafeText, UNSAFE_TEXT_MESSAGE } from './text.js'

declare module 'fastify' {
  interface FastifyInstance {
    serviceName: string
    config: Config
    clock: Clock
    db: Kysely<SharedTables>
    /** Every route this app registered, so a test can demand an audit fixture for each. */
    registeredRoutes: RegisteredRoute[]
    /** The Prometheus registry /metrics serves; services add their own collectors to it. */
    metrics: Registry
  }
}

export interface RegisteredRoute {
  method: string
  url: string
  public: boolean
  roles: readonly string[] | undefined
  /** The route's request schemas (zod), for suites that derive requests from them. */
  schema: { body?: unknown; querystring?: unknown; params?: unknown } | undefined
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
    // Refusals the router makes before any route runs (a malformed URL, a path parameter over 100
    // characters) are problems like every other refusal.
    frameworkErrors: (error, _request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      sendProblem(
        reply,
        tooLong ? 'not_found' : 'bad_request',
        tooLong ? 'No such resource' : 'The URL could not be read',
      )
    },
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

  // access.denied by route: the denial is audited by request id; the route is known here.
  const denied = new Counter({
    name: 'verwijsindex_access_denied_total',
    help: 'Accesses refused and audited as access.denied, by route (404 for need-to-know, 403 for roles)',
    labelNames: ['route'],
    registers: [registry],
  })
  const inFlight = new Map<string, string>()
  const unsubscribe = onAccessDenied((actor) => {
    const route = actor.requestId ? inFlight.get(actor.requestId) : undefined
    if (route) denied.labels(route).inc()
  })
  app.addHook('onClose', async () => {
    unsubscribe()
  })
  app.addHook('onRequest', async (request) => {
    inFlight.set(request.id, request.routeOptions.url ?? 'unknown')
  })
  app.decorate('metrics', registry)

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  app.addHook('onResponse', async (request, reply) => {
    inFlight.delete(request.id)
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
  const rateLimited = new Counter({
    name: 'http_requests_rate_limited_total',
    help: 'Requests refused with 429, by whether the token was verified (verified subjects are audited once per window)',
    labelNames: ['verified'],
    registers: [registry],
  })
  // One `access.rate_limited` event per verified subject per window: a flood must not flood the audit trail.
  const auditedUntil = new Map<string, number>()
  const windowMs = 60_000
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitPerMinute,
    timeWindow: windowMs,
    // Before any database work, so refused requests count too: the token's signature is verified in the
    // first stage of authentication (no database), so the limit is per token subject when there is a
    // valid one, per client address otherwise. One busy school system cannot starve others.
    hook: 'onRequest',
    enableDraftSpec: true,
    keyGenerator: (request) => (request.user?.sub ? `sub:${request.user.sub}` : `ip:${request.ip}`),
    onExceeded: (request, key) => {
      const verified = key.startsWith('sub:')
      rateLimited.labels(String(verified)).inc()
      if (!verified) return
      const now = Date.now()
      if ((auditedUntil.get(key) ?? 0) > now) return
      if (auditedUntil.size > 10_000) auditedUntil.clear()
      auditedUntil.set(key, now + windowMs)
      recordRateLimited(options.db, actorOf(request)).catch((error: unknown) =>
        request.log.error({ err: error }, 'could not audit a rate-limited subject'),
      )
    },
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
      const schema = route.schema as RegisteredRoute['schema']
      registeredRoutes.push({
        method,
        url: route.url,
        public: Boolean(config?.public),
        roles: config?.roles,
        schema,
      })
    }
  })
  registerProblemHandlers(app)
  await registerAuth(app, config, (reason) => rejected.labels(reason).inc())

  // Control characters and lone surrogates have no place in any field: refused before any schema or query
  // sees them (PostgreSQL refuses NUL in text and lone surrogates in jsonb, and would answer 500).
  app.addHook('preValidation', async (request) => {
    for (const [where, value] of [
      ['params', request.params],
      ['querystring', request.query],
      ['body', request.body],
    ] as const) {
      const pointer = findUnsafeText(value)
      if (pointer !== undefined) {
        throw new ProblemError('validation_failed', `The ${where} is not valid`, [
          { pointer, message: UNSAFE_TEXT_MESSAGE },
        ])
      }
    }
  })
  // Answers behind a token hold personal data (contact details, registrations): no cache may keep them.
  app.addHook('onSend', async (request, reply) => {
    if (!request.routeOptions.config?.public) reply.header('cache-control', 'no-store')
  })

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
