import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Clock } from '@verwijsindex/shared'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { Caller } from '../api/index.js'
import {
  type ConsoleDatabase,
  deleteSession,
  findSession,
  insertSession,
  insertSignIn,
  purgeIdle,
  replaceTokens,
  takeSignIn,
  touchSession,
} from '../db/sessions.js'
import { type Claims, claimsOf } from './claims.js'
import type { OidcSignIn, TokenSet } from './oidc.js'

export const SESSION_COOKIE = 'vi_session'
const PRE_SESSION_COOKIE = 'vi_pre'
/** Idle sessions end after half an hour, any session after ten hours (a working day). */
export const IDLE_MS = 30 * 60_000
const ABSOLUTE_MS = 10 * 3600_000

export interface Session {
  idHash: string
  claims: Claims
  caller: Caller
  idToken: string | null
}

declare module 'fastify' {
  interface FastifyRequest {
    session: Session | null
    /** Why a session this request carried has ended (shown on the sign-in page). */
    sessionEnded: 'expired' | null
    csrfToken: string
  }
  interface FastifyContextConfig {
    /** `public`: no sign-in needed; otherwise the roles that may open the page (absent: any signed-in person). */
    access?: 'public' | readonly string[]
  }
}

export const hashOf = (value: string) => createHash('sha256').update(value).digest('hex')
const csrfFor = (secret: string) => createHash('sha256').update(`csrf:${secret}`).digest('base64url')

export interface SessionDeps {
  db: Kysely<ConsoleDatabase>
  clock: Clock
  oidc: OidcSignIn | undefined
  secureCookies: boolean
}

export function cookieOptions(secure: boolean, maxAgeSeconds?: number) {
  return {
    path: '/',
    httpOnly: true,
    secure,
    // Lax: a professional arrives from a mail's link and the provider's callback is a top-level GET.
    sameSite: 'lax' as const,
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  }
}

/** Starts a session for these tokens; the browser gets only a random id. */
export async function startSession(deps: SessionDeps, reply: FastifyReply, tokens: TokenSet): Promise<void> {
  const id = randomBytes(32).toString('base64url')
  const now = deps.clock.now()
  await insertSession(deps.db, {
    idHash: hashOf(id),
    claims: claimsOf(tokens.accessToken),
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    idToken: tokens.idToken,
    tokenExpiresAt: tokens.expiresAt,
    createdAt: now,
    lastSeenAt: now,
  })
  reply.setCookie(SESSION_COOKIE, id, cookieOptions(deps.secureCookies))
  // Each sign-in also clears away sessions nobody will use again (their tokens must not linger).
  await purgeExpired(deps)
}

/** Deletes sessions idle longer than IDLE_MS and abandoned sign-in round trips. */
export async function purgeExpired(deps: Pick<SessionDeps, 'db' | 'clock'>): Promise<void> {
  await purgeIdle(deps.db, new Date(deps.clock.now().getTime() - IDLE_MS))
}

export async function endSession(
  deps: SessionDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  if (request.session) await deleteSession(deps.db, request.session.idHash)
  reply.clearCookie(SESSION_COOKIE, { path: '/' })
}

async function load(
  deps: SessionDeps,
  request: FastifyRequest,
  id: string,
): Promise<Session | 'expired' | null> {
  const idHash = hashOf(id)
  const row = await findSession(deps.db, idHash)
  if (!row) return null
  const now = deps.clock.now()
  if (
    now.getTime() - row.lastSeenAt.getTime() > IDLE_MS ||
    now.getTime() - row.createdAt.getTime() > ABSOLUTE_MS
  ) {
    await deleteSession(deps.db, idHash)
    return 'expired'
  }
  let { accessToken } = row
  let claims = row.claims as Claims
  // A minute's margin: a token must not expire between this check and the service's.
  if (row.tokenExpiresAt.getTime() - 60_000 <= now.getTime()) {
    if (!row.refreshToken || !deps.oidc) {
      await deleteSession(deps.db, idHash)
      return 'expired'
    }
    try {
      const tokens = await deps.oidc.refresh(row.refreshToken, now)
      accessToken = tokens.accessToken
      claims = claimsOf(tokens.accessToken)
      await replaceTokens(deps.db, idHash, {
        accessToken,
        refreshToken: tokens.refreshToken ?? row.refreshToken,
        tokenExpiresAt: tokens.expiresAt,
        claims,
      })
    } catch (error) {
      request.log.warn({ err: error }, 'token refresh refused; signing out')
      await deleteSession(deps.db, idHash)
      return 'expired'
    }
  }
  await touchSession(deps.db, idHash, now)
  return {
    idHash,
    claims,
    idToken: row.idToken,
    caller: {
      token: accessToken,
      clientIp: request.ip,
      requestId: request.id,
      userAgent: request.headers['user-agent']?.slice(0, 500),
    },
  }
}

/**
 * Loads the session behind the cookie (refreshing or ending it as its token demands), sets the CSRF token
 * every form carries, and refuses a POST whose token does not match: the synchronizer token is a hash of
 * the session cookie (or, before sign-in, of a pre-session cookie), which another site cannot read.
 */
export function registerSessions(app: FastifyInstance, deps: SessionDeps): void {
  app.decorateRequest('session', null)
  app.decorateRequest('sessionEnded', null)
  app.decorateRequest('csrfToken', '')
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/assets/') || request.url.startsWith('/health')) return
    const id = request.cookies[SESSION_COOKIE]
    let secret = id
    if (id) {
      const loaded = await load(deps, request, id)
      if (loaded === 'expired') request.sessionEnded = 'expired'
      if (loaded && loaded !== 'expired') request.session = loaded
      else {
        reply.clearCookie(SESSION_COOKIE, { path: '/' })
        secret = undefined
      }
    }
    if (!secret) {
      secret = request.cookies[PRE_SESSION_COOKIE]
      if (!secret) {
        secret = randomBytes(32).toString('base64url')
        reply.setCookie(PRE_SESSION_COOKIE, secret, cookieOptions(deps.secureCookies))
      }
    }
    request.csrfToken = csrfFor(secret)
  })
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return
    const given = (request.body as { _csrf?: unknown } | undefined)?._csrf
    const expected = Buffer.from(request.csrfToken)
    if (
      typeof given !== 'string' ||
      given.length !== expected.length ||
      !timingSafeEqual(Buffer.from(given), expected)
    ) {
      return reply
        .code(403)
        .type('text/plain; charset=utf-8')
        .send('CSRF token missing or wrong: reload the page and try again.')
    }
  })
  app.addHook('preHandler', async (request, reply) => {
    const access = request.routeOptions.config.access
    if (access === 'public' || !request.routeOptions.url) return
    if (!request.session) {
      return reply.redirect(request.sessionEnded ? '/signin?ended=expired' : '/signin', 303)
    }
    if (access && !request.session.claims.roles.some((r) => access.includes(r))) {
      return reply.code(403).send(await app.forbiddenPage(request))
    }
  })
}

/** Keeps an OpenID Connect round trip's state, nonce and PKCE verifier server-side; returns its cookie value. */
export async function rememberSignIn(
  deps: SessionDeps,
  pending: { state: string; nonce: string; codeVerifier: string },
): Promise<string> {
  const id = randomBytes(32).toString('base64url')
  // Only these three: the caller's object also carries the authorization URL, which is not kept.
  const { state, nonce, codeVerifier } = pending
  await insertSignIn(deps.db, { idHash: hashOf(id), state, nonce, codeVerifier, createdAt: deps.clock.now() })
  return id
}

/** The round trip behind the cookie, once: a replayed callback finds nothing. */
export async function takePendingSignIn(deps: SessionDeps, id: string | undefined) {
  return id ? takeSignIn(deps.db, hashOf(id)) : undefined
}
