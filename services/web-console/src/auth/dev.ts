import { createHmac } from 'node:crypto'
import type { Claims } from './claims.js'

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url')

/** Development sign-in: a token with the same claims as `npm start`'s development tokens, signed HS256. */
export function devToken(claims: Claims, secret: string, now: Date, hours = 12): string {
  const iat = Math.floor(now.getTime() / 1000)
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const payload = base64url(JSON.stringify({ ...claims, iat, exp: iat + hours * 3600 }))
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url')
  return `${header}.${payload}.${signature}`
}

export const OPERATOR_DEMO_ROLES = ['admin', 'auditor', 'privacy_officer'] as const

export function operatorClaims(role: string): Claims {
  return { sub: `dev-${role}`, roles: [role], name: `Dev ${role}` }
}

/** As scripts/start.ts prints them for each demo organisation. */
export function professionalClaims(org: { id: string; name: string }): Claims {
  return {
    sub: `dev-${org.id}`,
    org: org.id,
    roles: ['professional'],
    name: `Professional ${org.name}`,
    email: `professional@${org.id}.example`,
    phone: '+31 40 000 0000',
  }
}
