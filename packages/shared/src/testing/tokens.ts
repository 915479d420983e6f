import { createHmac } from 'node:crypto'
import type { TokenClaims } from '../auth.js'

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url')

/** An HS256 token the way a partner's identity provider would issue one; tests also forge bad ones. */
export function signToken(
  claims: Partial<TokenClaims> & Record<string, unknown>,
  secret: string,
  options: { expiresInSeconds?: number; header?: Record<string, unknown>; now?: Date } = {},
): string {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000)
  const header = base64url(JSON.stringify(options.header ?? { alg: 'HS256', typ: 'JWT' }))
  const payload = base64url(JSON.stringify({ iat, exp: iat + (options.expiresInSeconds ?? 3600), ...claims }))
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url')
  return `${header}.${payload}.${signature}`
}

/** The claims of a professional of `org`, as a partner's identity provider would issue them. */
export const professional = (org: string, extra: Partial<TokenClaims> = {}): Partial<TokenClaims> => ({
  sub: `pro-${org}`,
  org,
  roles: ['professional'],
  name: `Professional of ${org}`,
  email: `pro@${org}.example`,
  phone: '+31 6 1234 5678',
  ...extra,
})
