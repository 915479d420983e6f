import {
  type DevelopmentIdentity,
  developmentClaims,
  mintDevelopmentToken,
} from '@verwijsindex/shared/dev/tokens'
import type { FastifyInstance } from 'fastify'
import type { ConsoleContext } from '../app.js'
import { claimsOf } from '../auth/claims.js'
import {
  cookieOptions,
  endSession,
  rememberSignIn,
  startSession,
  takePendingSignIn,
} from '../auth/session.js'
import { html } from '../html.js'
import { alert, button, contextOf, layout, postForm } from '../pages/layout.js'

const SIGN_IN_COOKIE = 'vi_signin'

const OPERATOR_DEMO_ROLES = ['admin', 'auditor', 'privacy_officer', 'policy_officer'] as const
/** Organisation-scoped demo roles, one choice per demo organisation. */
const ORGANISATION_DEMO_ROLES = ['professional', 'org_auditor'] as const

/** A development token from the one module that mints them (`npm start` and the CLI use it too). */
const devToken = (identity: DevelopmentIdentity, secret: string, now: Date, lifetimeSeconds?: number) =>
  mintDevelopmentToken(developmentClaims(identity), secret, {
    now,
    ...(lifetimeSeconds ? { lifetimeSeconds } : {}),
  })

/**
 * Sign-in: at the region's identity provider (OpenID Connect) when one is configured, else (never in
 * production) a page of demo users whose tokens the console signs with the development JWT secret.
 */
export async function signInRoutes(app: FastifyInstance, ctx: ConsoleContext): Promise<void> {
  const { sessions, oidc, config } = ctx
  const devSecret = config.nodeEnv !== 'production' && !oidc ? config.jwt.secret : undefined

  app.get<{ Querystring: { ended?: string } }>(
    '/signin',
    { config: { access: 'public' } },
    async (request, reply) => {
      if (request.session) return reply.redirect('/', 303)
      const page = contextOf(request)
      const { t } = page
      const notice =
        request.query.ended === 'expired'
          ? alert('warning', t.signIn.expired)
          : request.query.ended === 'out'
            ? alert('info', t.signIn.signedOut)
            : request.query.ended === 'failed'
              ? alert('error', t.signIn.failed)
              : ''
      if (oidc || !devSecret) {
        return reply.type('text/html').send(
          layout(page, t.signIn.title, [
            notice,
            html`<p class="utrecht-paragraph">${t.signIn.intro}</p>
<p><a class="utrecht-button-link utrecht-button-link--primary-action" href="/signin/start">${t.signIn.withProvider}</a></p>`,
          ]),
        )
      }
      // The demo organisations, read through the API like everything else (as a development admin).
      const admin = devToken({ role: 'admin' }, devSecret, sessions.clock.now(), 3600)
      const caller = { token: admin, clientIp: request.ip, requestId: request.id }
      const orgs = await ctx.api.match.organisations(caller, { limit: 200 })
      const organisations = orgs.ok ? orgs.value.items.filter((o) => o.active) : []
      const choice = (value: string, label: string) =>
        html`<li>${postForm(page, '/signin/dev', [html`<input type="hidden" name="user" value="${value}">`, button(`${t.signIn.as} ${label}`, 'secondary')])}</li>`
      return reply.type('text/html').send(
        layout(page, t.signIn.devTitle, [
          notice,
          html`<p class="utrecht-paragraph">${t.signIn.devIntro}</p>
<h2 class="utrecht-heading-2">${t.signIn.operators}</h2>
<ul class="console-choices">${OPERATOR_DEMO_ROLES.map((role) => choice(role, t.roles[role] ?? role))}</ul>
<h2 class="utrecht-heading-2">${t.signIn.professionals}</h2>
<ul class="console-choices">${ORGANISATION_DEMO_ROLES.flatMap((role) => organisations.map((o) => choice(`${role}:${o.id}`, `${t.roles[role] ?? role} ${o.name}`)))}</ul>`,
        ]),
      )
    },
  )

  if (devSecret) {
    app.post<{ Body: { user?: string } }>(
      '/signin/dev',
      { config: { access: 'public' } },
      async (request, reply) => {
        const user = String(request.body.user ?? '')
        let identity: DevelopmentIdentity | undefined
        const operator = OPERATOR_DEMO_ROLES.find((role) => role === user)
        if (operator) identity = { role: operator }
        else {
          const [role, id = ''] = user.split(':', 2)
          const orgRole = ORGANISATION_DEMO_ROLES.find((r) => r === role)
          const admin = devToken({ role: 'admin' }, devSecret, sessions.clock.now(), 3600)
          const org = orgRole
            ? await ctx.api.match.organisation(
                { token: admin, clientIp: request.ip, requestId: request.id },
                id,
              )
            : undefined
          if (orgRole && org?.ok) {
            identity =
              orgRole === 'professional'
                ? { role: orgRole, organisation: org.value.id, name: `Professional ${org.value.name}` }
                : { role: orgRole, organisation: org.value.id, name: `Auditor ${org.value.name}` }
          }
        }
        if (!identity) return reply.redirect('/signin?ended=failed', 303)
        const now = sessions.clock.now()
        const token = devToken(identity, devSecret, now)
        await startSession(sessions, reply, {
          accessToken: token,
          refreshToken: null,
          idToken: null,
          expiresAt: new Date((claimsOf(token).exp as number) * 1000),
        })
        return reply.redirect('/', 303)
      },
    )
  }

  if (oidc) {
    app.get('/signin/start', { config: { access: 'public' } }, async (_request, reply) => {
      const started = await oidc.start()
      const id = await rememberSignIn(sessions, started)
      reply.setCookie(SIGN_IN_COOKIE, id, cookieOptions(sessions.secureCookies, 600))
      return reply.redirect(started.url, 303)
    })
    app.get('/signin/callback', { config: { access: 'public' } }, async (request, reply) => {
      const id = request.cookies[SIGN_IN_COOKIE]
      reply.clearCookie(SIGN_IN_COOKIE, { path: '/' })
      const pending = await takePendingSignIn(sessions, id)
      if (!pending) return reply.redirect('/signin?ended=failed', 303)
      try {
        const callbackUrl = new URL(request.url, config.console.publicUrl)
        const tokens = await oidc.finish(callbackUrl, pending, sessions.clock.now())
        await startSession(sessions, reply, tokens)
      } catch (error) {
        request.log.warn({ err: error }, 'sign-in callback refused')
        return reply.redirect('/signin?ended=failed', 303)
      }
      return reply.redirect('/', 303)
    })
  }

  app.post('/signout', { config: { access: 'public' } }, async (request, reply) => {
    const idToken = request.session?.idToken ?? null
    await endSession(sessions, request, reply)
    const back = `${config.console.publicUrl}/signin?ended=out`
    return reply.redirect(oidc?.logoutUrl(idToken, back) || '/signin?ended=out', 303)
  })
}
