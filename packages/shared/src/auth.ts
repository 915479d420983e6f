import fastifyJwt from '@fastify/jwt'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import buildGetJwks from 'get-jwks'
import { z } from 'zod'
import { actorOf } from './actor.js'
import { recordDenied } from './audit.js'
import { systemClock } from './clock.js'
import type { Config } from './config.js'
import { sendProblem } from './errors.js'

/** Roles acting for a partner organisation (`org` required) and roles of the index operator (no `org`). */
export const ORGANISATION_ROLES = ['professional', 'system'] as const
/** `policy_officer`: a municipality's or region's policy adviser, aggregate statistics only (its token may carry `region`). */
export const OPERATOR_ROLES = ['admin', 'auditor', 'privacy_officer', 'policy_officer'] as const
export const ROLES = [...ORGANISATION_ROLES, ...OPERATOR_ROLES] as const
export type Role = (typeof ROLES)[number]

export const tokenClaimsSchema = z
  .object({
    sub: z.string().min(1).max(200),
    org: z.string().min(1).max(63).optional(),
    roles: z.array(z.enum(ROLES)).min(1),
    name: z.string().max(200).optional(),
    email: z.string().max(254).optional(),
    phone: z.string().max(40).optional(),
    /** Policy officers only: the one region whose statistics the token may read. */
    region: z.string().min(1).max(63).optional(),
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
        message: 'professional and system tokens must carry org',
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
  interface FastifyContextConfig {
    /** No token needed (health, metrics, docs). */
    public?: boolean
    /** The roles that may call the route; absent means any valid token. */
    roles?: readonly Role[]
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

/**
 * Every route needs a valid token unless it says `config.public`. A bad, expired or tampered token is
 * 401 (counted in metrics, not audited: nobody is known yet); a valid token with the wrong role is 403 and
 * an audited `access.denied`.
 */
export async function registerAuth(
  app: FastifyInstance,
  config: Config,
  onRejected: (reason: string) => void,
) {
  await app.register(fastifyJwt, jwtOptions(config) as never)

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const routeConfig = request.routeOptions.config
    if (routeConfig.public || !request.routeOptions.url) return
    try {
      // Expiry is judged on the injectable clock too; with the system clock the global verifier is reused.
      await (app.clock === systemClock
        ? request.jwtVerify()
        : request.jwtVerify({ decode: {}, verify: { clockTimestamp: app.clock.now().getTime() } }))
    } catch (error) {
      onRejected('invalid_token')
      const detail =
        (error as { code?: string }).code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED'
          ? 'The token has expired'
          : (error as { code?: string }).code === 'FST_JWT_NO_AUTHORIZATION_IN_HEADER'
            ? 'A bearer token is required'
            : 'The token is not valid'
      return sendProblem(reply.header('www-authenticate', 'Bearer'), 'unauthorized', detail)
    }
    const claims = tokenClaimsSchema.safeParse(request.user)
    if (!claims.success) {
      onRejected('invalid_claims')
      const detail = claims.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
      return sendProblem(reply, 'unauthorized', `The token's claims are not valid: ${detail}`)
    }
    request.user = claims.data
    const allowed = routeConfig.roles
    if (allowed && !claims.data.roles.some((role) => allowed.includes(role))) {
      await recordDenied(app.db, actorOf(request), {
        resource: { type: 'route', id: `${request.method} ${request.routeOptions.url}` },
      })
      return sendProblem(reply, 'forbidden', `This route needs one of the roles: ${allowed.join(', ')}`)
    }
  })
}
