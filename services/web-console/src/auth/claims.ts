/** The claims the services read from a token, as the console shows and routes by them. */
export interface Claims {
  sub: string
  org?: string
  roles: string[]
  name?: string
  email?: string
  phone?: string
  exp?: number
}

/** The payload of a JWT, unverified: the services verify it on every call; the console only reads it. */
export function claimsOf(token: string): Claims {
  const payload = token.split('.')[1]
  if (!payload) throw new Error('the access token is not a JWT')
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<Claims>
  if (typeof claims.sub !== 'string' || !Array.isArray(claims.roles)) {
    throw new Error('the access token carries no sub or roles')
  }
  return claims as Claims
}

export const hasRole = (claims: Claims, ...roles: string[]) => claims.roles.some((r) => roles.includes(r))
