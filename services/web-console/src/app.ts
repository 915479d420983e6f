import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import helmet from '@fastify/helmet'
import { type Clock, type Config, createDb, createLogger, systemClock } from '@verwijsindex/shared'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify'
import type { DestinationStream } from 'pino'
import { type Api, ApiError, createApi } from './api/index.js'
import { OidcSignIn } from './auth/oidc.js'
import { endSession, purgeExpired, registerSessions, type SessionDeps } from './auth/session.js'
import type { ConsoleDatabase } from './db/sessions.js'
import { html } from './html.js'
import { alert, contextOf, layout } from './pages/layout.js'
import { auditRoutes } from './routes/audit.js'
import { excludedAddressRoutes } from './routes/excluded-addresses.js'
import { matchRoutes } from './routes/matches.js'
import { organisationRoutes } from './routes/organisations.js'
import { regionRoutes } from './routes/regions.js'
import { registrationRoutes } from './routes/registrations.js'
import { signInRoutes } from './routes/sign-in.js'
import { statisticsRoutes } from './routes/statistics.js'
import { subjectRoutes } from './routes/subjects.js'

declare module 'fastify' {
  interface FastifyInstance {
    forbiddenPage(request: FastifyRequest): Promise<string>
  }
}

export interface ConsoleDeps {
  config: Config
  clock?: Clock
  logStream?: DestinationStream
}

/** What every route of the console is given. */
export interface ConsoleContext {
  config: Config
  api: Api
  sessions: SessionDeps
  oidc: OidcSignIn | undefined
  clock: Clock
}

const require = createRequire(import.meta.url)
const asset = (module: string) => readFileSync(require.resolve(module), 'utf8')
const local = (file: string) => readFileSync(new URL(`../assets/${file}`, import.meta.url), 'utf8')

/** Plain http only on the machine itself (development); anywhere else cookies are Secure. */
export function secureCookiesFor(publicUrl: string): boolean {
  const url = new URL(publicUrl)
  return !(url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname))
}

/**
 * The web console: server-rendered pages for professionals, privacy officers, auditors and administrators,
 * on top of the three services' public APIs (src/api). Its own state is the sessions, in schema `console`.
 */
export async function buildWebConsole(deps: ConsoleDeps): Promise<FastifyInstance> {
  const { config } = deps
  if (config.nodeEnv === 'production' && !config.console.oidc) {
    throw new Error(
      'web-console: OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are required in production',
    )
  }
  const clock = deps.clock ?? systemClock
  const app = Fastify({
    loggerInstance: createLogger(config.logLevel, 'web-console', deps.logStream) as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    bodyLimit: 256 * 1024,
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    routerOptions: { ignoreTrailingSlash: true },
  })
  const db = createDb<ConsoleDatabase>(config.databaseUrl, { max: 4, applicationName: 'web-console' })
  app.addHook('onClose', async () => db.destroy())

  const oidc = config.console.oidc
    ? await OidcSignIn.discover(config.console.oidc, `${config.console.publicUrl}/signin/callback`)
    : undefined
  const sessions: SessionDeps = { db, clock, oidc, secureCookies: secureCookiesFor(config.console.publicUrl) }
  // And every ten minutes, so idle sessions' tokens are gone even when nobody signs in.
  const purger = setInterval(() => {
    purgeExpired(sessions).catch((err: unknown) => app.log.warn({ err }, 'purging idle sessions failed'))
  }, 10 * 60_000)
  purger.unref()
  app.addHook('onClose', async () => clearInterval(purger))
  const ctx: ConsoleContext = { config, api: createApi(config.console.api), sessions, oidc, clock }

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        // The sign-out form ends the provider's session too, by a redirect to it.
        formAction: ["'self'", ...(oidc ? [oidc.issuerOrigin] : [])],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    // Secure cookies and HSTS belong together: neither on plain-http development.
    strictTransportSecurity: sessions.secureCookies,
  })
  await app.register(cookie)
  await app.register(formbody)
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html'))
      reply.header('cache-control', 'no-store')
  })

  const assets: Record<string, [string, string]> = {
    'tokens.css': [asset('@utrecht/design-tokens/dist/index.css'), 'text/css'],
    'components.css': [asset('@utrecht/component-library-css/dist/index.css'), 'text/css'],
    'console.css': [local('console.css'), 'text/css'],
    'console.js': [local('console.js'), 'text/javascript'],
  }
  app.get<{ Params: { name: string } }>(
    '/assets/:name',
    { config: { access: 'public' } },
    async (request, reply) => {
      const found = assets[request.params.name]
      if (!found) return reply.code(404).send()
      return reply
        .type(`${found[1]}; charset=utf-8`)
        .header('cache-control', 'public, max-age=3600')
        .send(found[0])
    },
  )
  app.get('/health/live', { config: { access: 'public' } }, async () => ({
    status: 'ok',
    service: 'web-console',
  }))

  app.decorate('forbiddenPage', async (request: FastifyRequest) => {
    const page = contextOf(request)
    return layout(page, page.t.errors.title, alert('error', page.t.errors.forbidden))
  })
  registerSessions(app, sessions)

  app.setErrorHandler(async (error, request, reply) => {
    const page = contextOf(request)
    const { t } = page
    if (error instanceof ApiError) {
      if (error.status === 401) {
        await endSession(sessions, request, reply)
        return reply.redirect('/signin?ended=expired', 303)
      }
      if (error.status === 404)
        return reply
          .code(404)
          .type('text/html')
          .send(layout(page, t.errors.title, alert('error', t.errors.notFound)))
      if (error.status === 403)
        return reply
          .code(403)
          .type('text/html')
          .send(layout(page, t.errors.title, alert('error', t.errors.forbidden)))
    }
    const status = (error as { statusCode?: number }).statusCode
    if (status && status >= 400 && status < 500) {
      return reply
        .code(status)
        .type('text/html')
        .send(layout(page, t.errors.title, alert('error', t.errors.notFound)))
    }
    request.log.error({ err: error }, 'page failed')
    return reply
      .code(502)
      .type('text/html')
      .send(
        layout(page, t.errors.title, [
          alert('error', t.errors.unavailable),
          html`<p class="utrecht-paragraph">${t.errors.reference}: <code>${request.id}</code></p>`,
        ]),
      )
  })
  app.setNotFoundHandler(async (request, reply) => {
    const page = contextOf(request)
    return reply
      .code(404)
      .type('text/html')
      .send(layout(page, page.t.errors.title, alert('error', page.t.errors.notFound)))
  })

  app.get<{ Querystring: { to?: string } }>(
    '/language',
    { config: { access: 'public' } },
    async (request, reply) => {
      const to = request.query.to === 'en' ? 'en' : 'nl'
      reply.setCookie('lang', to, {
        path: '/',
        sameSite: 'lax',
        secure: sessions.secureCookies,
        maxAge: 365 * 86400,
      })
      const back = request.headers.referer ? new URL(request.headers.referer).pathname : '/'
      return reply.redirect(/^\/(?![/\\])/.test(back) ? back : '/', 303)
    },
  )

  await signInRoutes(app, ctx)
  await registrationRoutes(app, ctx)
  await matchRoutes(app, ctx)
  await subjectRoutes(app, ctx)
  await auditRoutes(app, ctx)
  await organisationRoutes(app, ctx)
  await regionRoutes(app, ctx)
  await excludedAddressRoutes(app, ctx)
  await statisticsRoutes(app, ctx)
  return app
}
