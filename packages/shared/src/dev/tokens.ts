import { createHmac } from 'node:crypto'
import {
  OPERATOR_ROLES,
  ORGANISATION_ROLES,
  type Role,
  type TokenClaims,
  tokenClaimsSchema,
} from '../auth.js'

/**
 * Development tokens: the one place that mints them (`npm start`, the operator CLI, the console's
 * development sign-in). HS256 with the development JWT_SECRET; refused under NODE_ENV=production, where
 * tokens come from the partners' identity providers (docs/integrators.md §2).
 */

/** Who a development token is for: an organisation's professional or system, or an operator role. */
export type DevelopmentIdentity =
  | {
      role: (typeof ORGANISATION_ROLES)[number]
      /** The organisation's id (slug), e.g. `zuidzorg`. */
      organisation: string
      name?: string
      email?: string
      phone?: string
    }
  | { role: (typeof OPERATOR_ROLES)[number]; name?: string }

/** A token's identity claims; `mintDevelopmentToken` adds `iat` and `exp`. */
export type IdentityClaims = Omit<TokenClaims, 'exp' | 'iat'>

/** The services' claim rules, applied before `exp` exists (any valid expiry stands in for it here). */
function checkIdentity(claims: IdentityClaims): IdentityClaims {
  const { exp: _exp, ...checked } = tokenClaimsSchema.parse({ ...claims, exp: 1 })
  return checked
}

export const DEVELOPMENT_ROLES: readonly Role[] = [...ORGANISATION_ROLES, ...OPERATOR_ROLES]

/** Twelve hours: a working day at the keyboard. */
export const DEFAULT_DEVELOPMENT_LIFETIME_SECONDS = 12 * 3600

/**
 * The claims a partner's identity provider would issue for this identity: for a professional `sub`,
 * `org`, `roles`, `name`, `email` and `phone`; for a system `sub`, `org`, `roles` and `name` (a system acts
 * for the professional named in the request's `contact`); for an operator role `sub`, `roles` and `name`.
 */
export function developmentClaims(identity: DevelopmentIdentity): IdentityClaims {
  if (identity.role === 'professional' || identity.role === 'system') {
    const org = identity.organisation
    const claims: IdentityClaims =
      identity.role === 'professional'
        ? {
            sub: `dev-professional-${org}`,
            org,
            roles: ['professional'],
            name: identity.name ?? `Professional ${org}`,
            email: identity.email ?? `professional@${org}.example`,
            phone: identity.phone ?? '+31 40 000 0000',
          }
        : { sub: `dev-system-${org}`, org, roles: ['system'], name: identity.name ?? `System ${org}` }
    return checkIdentity(claims)
  }
  if (identity.role === 'org_auditor') {
    const org = identity.organisation
    return checkIdentity({
      sub: `dev-org_auditor-${org}`,
      org,
      roles: ['org_auditor'],
      name: identity.name ?? `Auditor ${org}`,
    })
  }
  return checkIdentity({
    sub: `dev-${identity.role}`,
    roles: [identity.role],
    name: identity.name ?? `Dev ${identity.role}`,
  })
}

export interface MintOptions {
  /** Seconds the token is valid; default 12 hours. */
  lifetimeSeconds?: number
  now?: Date
  /** `iss` and `aud`, needed when the services check JWT_ISSUER / JWT_AUDIENCE. */
  issuer?: string
  audience?: string
  /** Where NODE_ENV is read; default process.env. */
  env?: NodeJS.ProcessEnv
}

export class DevelopmentTokensRefused extends Error {}

/** An HS256 token carrying `claims` (checked against the services' claim rules), with iat and exp. */
export function mintDevelopmentToken(
  claims: IdentityClaims,
  secret: string,
  options: MintOptions = {},
): string {
  if ((options.env ?? process.env).NODE_ENV === 'production') {
    throw new DevelopmentTokensRefused(
      'development tokens are not minted with NODE_ENV=production: use your identity provider',
    )
  }
  if (secret.length < 32) throw new DevelopmentTokensRefused('the JWT secret must be at least 32 characters')
  const lifetime = options.lifetimeSeconds ?? DEFAULT_DEVELOPMENT_LIFETIME_SECONDS
  if (!Number.isInteger(lifetime) || lifetime <= 0) {
    throw new DevelopmentTokensRefused('the lifetime must be a positive whole number of seconds')
  }
  const checked = checkIdentity(claims)
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000)
  const payload = {
    ...checked,
    iat,
    exp: iat + lifetime,
    ...(options.issuer ? { iss: options.issuer } : {}),
    ...(options.audience ? { aud: options.audience } : {}),
  }
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}`
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`
}

/** The environment variable a shell gets a token in: TOKEN_ADMIN, TOKEN_ZUIDZORG, TOKEN_SYSTEM_ZUIDZORG. */
export function tokenVariable(identity: DevelopmentIdentity): string {
  const name =
    identity.role === 'professional'
      ? identity.organisation
      : identity.role === 'system' || identity.role === 'org_auditor'
        ? `${identity.role}-${identity.organisation}`
        : identity.role
  return `TOKEN_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`
}
