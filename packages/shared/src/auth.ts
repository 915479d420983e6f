import fastifyJwt from '@fastify/jwt'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import buildGetJwks from 'get-jwks'
import { z } from 'zod'
import { actorOf } from './actor.js'
import { recordDenied } from './audit.js'
import { systemClock } from './clock.js'
import type { Config } from './config.js'
import { sendProblem } from './errors.js'
import { emailSchema, personNameSchema, phoneSchema, text } from './text.js'

/**
 * Roles acting for a partner organisation (`org` required) and roles of the index operator (no `org`).
 * `org_auditor`: an organisation's own auditor (NEN 7513), reads the audit events of its own staff only.
 */
export const ORGANISATION_ROLES = ['professional', 'system', 'org_auditor'] as const
/** `policy_officer`: a municipality's or region's policy adviser, aggregate statistics only (its token may carry `region`). */
export const OPERATOR_ROLES = ['admin', 'auditor', 'privacy_officer', 'policy_officer'] as const
export const ROLES = [...ORGANISATION_ROLES, ...OPERATOR_ROLES] as const
export type Role = (typeof ROLES)[number]

export const tokenClaimsSchema = z
  .object({
    sub: text({ min: 1, max: 200 }),
    org: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be an organisation id')
      .optional(),
    roles: z.array(z.enum(ROLES)).min(1),
    name: personNameSchema.optional(),
    email: emailSchema.optional(),
    phone: phoneSchema.optional(),
    /** Policy officers only: the one region whose statistics the token may read. */
    region: z.string().min(1).max(63).optional(),
    // Required: a token without an expiry would be valid for ever.
    exp: z.number().int().positive(),
    iat: z.number().int().positive().optional(),
  })
  .loose()
  .superRefine((claims, ctx) => {
    const actsForOrganisation = claims.roles.some((r) =>
      (ORGANISATION_ROLES as readonly string[]).includes(r),
    )
    const isOperator = claims.roles.some((r) => (OPERATOR_ROLES as readonly string[]).includes(r))
    if (actsForOrganisation && isOperator) {
      ctx.addIssue({
        code: 'custom',
        path: ['roles'],
        message: 'operator roles cannot be combined with organisation roles',
      })
    }
    if (actsForOrganisation && !claims.org) {
      ctx.addIssue({
        code: 'custom',
        path: ['org'],
        message: 'professional, system and org_auditor tokens must carry org',
      })
    }
    if (claims.region !== undefined && !claims.roles.includes('policy_officer')) {
      ctx.addIssue({ code: 'custom', path: ['region'], message: 'only policy_officer tokens carry region' })
    }
    if (isOperator && claims.org) {
      ctx.addIssue({ code: 'custom', path: ['org'], message: 'operator roles carry no organisation' })
    }
  })

export type TokenClaims = z.infer<typeof tokenClaimsSchema>

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims
    user: TokenClaims
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Why the token was refused, kept from the first (database-free) stage for the second. */
    authFailure?: { reason: string; detail: string }
  }
  interface FastifyContextConfig {
    /** No token needed (health, metrics, docs). */
    public?: boolean
    /** The roles that may call the route; absent means any valid token. */
    roles?: readonly Role[]
    /** Exempt from REQUEST_DEADLINE_MS (a chain verification recomputes for minutes). */
    longRunning?: boolean
  }
}

function jwtOptions(config: Config) {
  const verify = {
    ...(config.jwt.issuer ? { allowedIss: config.jwt.issuer } : {}),
    ...(config.jwt.audience ? { allowedAud: config.jwt.audience } : {}),
  }
  if (config.jwt.secret) {
    return {
      secret: config.jwt.secret,
      sign: { algorithm: 'HS256' },
      verify: { ...verify, algorithms: ['HS256'] },
    }
  }
  const algorithms = ['RS256', 'ES256']
  if (config.jwt.publicKey) {
    return { secret: { public: config.jwt.publicKey }, verify: { ...verify, algorithms } }
  }
  const jwksUrl = new URL(config.jwt.jwksUrl as string)
  const jwks = buildGetJwks({ jwksPath: jwksUrl.pathname, max: 100, ttl: 10 * 60_000 })
  return {
    decode: { complete: true },
    secret: (_request: FastifyRequest, token: { header: { kid?: string; alg?: string } }) =>
      jwks.getPublicKey({ domain: jwksUrl.origin, kid: token.header.kid, alg: token.header.alg }),
    verify: { ...verify, algorithms },
  }
}

/** How far a token's `iat` may lie in the future: the issuer's clock and ours differ a little. */
export const CLOCK_SKEW_SECONDS = 60

/** Where a token in the query string would hide: refused, so no proxy or access log ever keeps one. */
const QUERY_TOKEN = /(?:^|&)(?:access_token|token|jwt|id_token)=|eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\./

/** Whether the request's query string carries something that looks like a token. */
export function tokenInQuery(url: string): boolean {
  const q = url.indexOf('?')
  return q !== -1 && QUERY_TOKEN.test(url.slice(q + 1))
}

/**
 * Every route needs a valid token unless it says `config.public`. Two stages, so that the rate limit runs
 * between them: `onRequest` verifies the signature and the claims without touching the database (the rate
 * limit can then count per token subject, before any other work); `preParsing` answers a bad, expired or
 * tampered token with 401 (counted in metrics, not audited: nobody is known yet) and a valid token with
 * the wrong role with 403 and an audited `access.denied`.
 */
export async function registerAuth(
  app: FastifyInstance,
  config: Config,
  onRejected: (reason: string) => void,
) {
  await app.register(fastifyJwt, jwtOptions(config) as never)

  app.addHook('onRequest', async (request: FastifyRequest) => {
    const routeConfig = request.routeOptions.config
    if (routeConfig.public || !request.routeOptions.url) return
    request.authFailure = await verifyToken(app, config, request)
  })

  app.addHook('preParsing', async (request: FastifyRequest, reply: FastifyReply) => {
    const routeConfig = request.routeOptions.config
    if (routeConfig.public || !request.routeOptions.url) return
    const failure = request.authFailure
    if (failure) {
      onRejected(failure.reason)
      if (failure.reason === 'token_in_query') return sendProblem(reply, 'bad_request', failure.detail)
      return sendProblem(reply.header('www-authenticate', 'Bearer'), 'unauthorized', failure.detail)
    }
    const allowed = routeConfig.roles
    if (allowed && !request.user.roles.some((role) => allowed.includes(role))) {
      await recordDenied(app.db, actorOf(request), {
        resource: { type: 'route', id: `${request.method} ${request.routeOptions.url}` },
      })
      return sendProblem(reply, 'forbidden', `This route needs one of the roles: ${allowed.join(', ')}`)
    }
  })
}

/** The token's signature, expiry and claims; undefined when valid (then `request.user` holds the claims). */
async function verifyToken(
  app: FastifyInstance,
  config: Config,
  request: FastifyRequest,
): Promise<{ reason: string; detail: string } | undefined> {
  if (tokenInQuery(request.url)) {
    return {
      reason: 'token_in_query',
      detail: 'A token belongs in the Authorization header, never in the URL',
    }
  }
  try {
    // Expiry is judged on the injectable clock too; with the system clock the global verifier is reused.
    await (app.clock === systemClock
      ? request.jwtVerify()
      : request.jwtVerify({ decode: {}, verify: { clockTimestamp: app.clock.now().getTime() } }))
  } catch (error) {
    const code = (error as { code?: string }).code
    const detail =
      code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED'
        ? 'The token has expired'
        : code === 'FST_JWT_NO_AUTHORIZATION_IN_HEADER'
          ? 'A bearer token is required'
          : 'The token is not valid'
    // No user until the claims are checked: the rate limit keys on the address meanwhile.
    request.user = undefined as never
    return { reason: 'invalid_token', detail }
  }
  const claims = tokenClaimsSchema.safeParse(request.user)
  request.user = undefined as never
  if (!claims.success) {
    const detail = claims.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    return { reason: 'invalid_claims', detail: `The token's claims are not valid: ${detail}` }
  }
  const now = Math.floor(app.clock.now().getTime() / 1000)
  const { exp, iat } = claims.data
  if (iat !== undefined && iat > now + CLOCK_SKEW_SECONDS) {
    return { reason: 'invalid_claims', detail: "The token's claims are not valid: iat: lies in the future" }
  }
  if (exp - (iat ?? now) > config.tokenMaxLifetimeSeconds) {
    return {
      reason: 'invalid_claims',
      detail: `The token's claims are not valid: exp: lifetime above ${config.tokenMaxLifetimeSeconds} seconds`,
    }
  }
  request.user = claims.data
  return undefined
}
