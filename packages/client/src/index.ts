import createClient, { type Client, type Middleware } from 'openapi-fetch'
import type { paths as AuditPaths } from './generated/audit-service.js'
import type { paths as MatchPaths } from './generated/match-service.js'
import type { paths as NotifyPaths } from './generated/notify-service.js'

export type * as audit from './generated/audit-service.js'
export type * as match from './generated/match-service.js'
export type * as notify from './generated/notify-service.js'

export type MatchClient = Client<MatchPaths>
export type NotifyClient = Client<NotifyPaths>
export type AuditClient = Client<AuditPaths>

/** A token, or a function giving the current one (tokens expire; the identity provider renews them). */
export type TokenSource = string | (() => string | Promise<string>)

function bearer(token: TokenSource): Middleware {
  return {
    async onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${typeof token === 'string' ? token : await token()}`)
      return request
    },
  }
}

/**
 * A typed client for one service. `baseUrl` is the service's address without the version
 * (`http://127.0.0.1:3001`); the client adds `/v1`, the major version its types were generated for.
 */
function clientFor<Paths extends {}>(baseUrl: string, token: TokenSource): Client<Paths> {
  const client = createClient<Paths>({ baseUrl: `${baseUrl.replace(/\/+$/, '')}/v1` })
  client.use(bearer(token))
  return client
}

/** match-service: registrations, matches, coordination, regions, organisations, subjects. */
export const createMatchClient = (baseUrl: string, token: TokenSource): MatchClient =>
  clientFor<MatchPaths>(baseUrl, token)

/** notify-service: notifications and webhooks. */
export const createNotifyClient = (baseUrl: string, token: TokenSource): NotifyClient =>
  clientFor<NotifyPaths>(baseUrl, token)

/** audit-service: the audit trail, subject reports, export and chain verification. */
export const createAuditClient = (baseUrl: string, token: TokenSource): AuditClient =>
  clientFor<AuditPaths>(baseUrl, token)
