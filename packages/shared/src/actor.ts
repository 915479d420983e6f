import type { FastifyRequest } from 'fastify'

/**
 * Who acts, for whom, from where and when: what every use case takes, so a route and a scheduled job call
 * the same function. A request builds one with `actorOf`; a job with `serviceActor`. It carries what an
 * audit event needs (NEN 7513: user, organisation, role, on whose behalf, access point).
 */
export interface Actor {
  service: string
  id: string | null
  organisation: string | null
  roles: string[]
  /** For a system token: the professional it acts for. */
  onBehalfOf: string | null
  requestId: string | null
  clientIp: string | null
  userAgent: string | null
  /** The moment of the action, from the service's clock. */
  at: Date
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by routes where a system token acts for a named professional. */
    onBehalfOf?: string | null
  }
}

export function actorOf(request: FastifyRequest): Actor {
  const user = request.user as { sub?: string; org?: string; roles?: string[] } | undefined
  return {
    service: request.server.serviceName,
    id: user?.sub ?? null,
    organisation: user?.org ?? null,
    roles: user?.roles ?? [],
    onBehalfOf: request.onBehalfOf ?? null,
    requestId: request.id,
    clientIp: request.ip,
    userAgent: request.headers['user-agent']?.slice(0, 500) ?? null,
    at: request.server.clock.now(),
  }
}

/** The service itself acting on its own schedule (expiry, deadlines, delivery, sealing, purges). */
export function serviceActor(service: string, at: Date): Actor {
  return {
    service,
    id: service,
    organisation: null,
    roles: ['scheduler'],
    onBehalfOf: null,
    requestId: null,
    clientIp: null,
    userAgent: null,
    at,
  }
}
