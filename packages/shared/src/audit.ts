import type { FastifyRequest } from 'fastify'
import type { Kysely, Transaction } from 'kysely'
import { type SharedTables, sharedView } from './db.js'

export type AuditOutcome = 'success' | 'denied' | 'error'

export interface AuditActor {
  id: string | null
  organisation: string | null
  roles: string[]
  /** For a system token: the professional it acts for. */
  onBehalfOf: string | null
}

/** One audited access (NEN 7513 / IHE ATNA): who, on whose behalf, what, on which child, from where. */
export interface AuditEvent {
  service: string
  action: string
  outcome?: AuditOutcome
  occurredAt: Date
  actor: AuditActor
  subjectKey?: string | null
  resource?: { type: string; id: string | null } | null
  requestId?: string | null
  clientIp?: string | null
  userAgent?: string | null
  purpose?: string | null
}

function toRow(event: AuditEvent) {
  return {
    occurredAt: event.occurredAt,
    service: event.service,
    action: event.action,
    outcome: event.outcome ?? 'success',
    actorId: event.actor.id,
    actorOrganisation: event.actor.organisation,
    actorRoles: event.actor.roles,
    actorOnBehalfOf: event.actor.onBehalfOf,
    subjectKey: event.subjectKey ?? null,
    resourceType: event.resource?.type ?? null,
    resourceId: event.resource?.id ?? null,
    requestId: event.requestId ?? null,
    clientIp: event.clientIp ?? null,
    userAgent: event.userAgent ?? null,
    purpose: event.purpose ?? null,
  }
}

/**
 * Records audit events inside the caller's transaction, so the event and the action it describes
 * commit or roll back together.
 */
export async function recordAuditEvents<DB extends SharedTables>(
  trx: Transaction<DB> | Kysely<DB>,
  events: AuditEvent[],
): Promise<void> {
  if (events.length === 0) return
  await sharedView(trx).insertInto('audit.events').values(events.map(toRow)).execute()
}

export async function recordAuditEvent<DB extends SharedTables>(
  trx: Transaction<DB> | Kysely<DB>,
  event: AuditEvent,
): Promise<void> {
  await recordAuditEvents(trx, [event])
}

/**
 * A refused request's own transaction rolls back, so its `access.denied` event is written on its own,
 * outside any transaction of the request.
 */
export async function recordDeniedAccess<DB extends SharedTables>(
  db: Transaction<DB> | Kysely<DB>,
  event: Omit<AuditEvent, 'outcome'>,
): Promise<void> {
  await sharedView(db)
    .insertInto('audit.events')
    .values(toRow({ ...event, outcome: 'denied' }))
    .execute()
}

/** The audit fields a request gives by itself: service, time, actor, access point, request id. */
export function requestAuditContext(request: FastifyRequest): Omit<AuditEvent, 'action'> {
  const user = request.user as { sub?: string; org?: string; roles?: string[] } | undefined
  return {
    service: request.server.serviceName,
    occurredAt: request.server.clock.now(),
    actor: {
      id: user?.sub ?? null,
      organisation: user?.org ?? null,
      roles: user?.roles ?? [],
      onBehalfOf: request.onBehalfOf ?? null,
    },
    requestId: request.id,
    clientIp: request.ip,
    userAgent: request.headers['user-agent']?.slice(0, 500) ?? null,
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by routes where a system token acts for a named professional. */
    onBehalfOf?: string | null
  }
}

/** Records one event for this request inside the caller's transaction. */
export async function auditRequest<DB extends SharedTables>(
  trx: Transaction<DB> | Kysely<DB>,
  request: FastifyRequest,
  action: string,
  details: Pick<AuditEvent, 'subjectKey' | 'resource' | 'purpose' | 'outcome'> = {},
): Promise<void> {
  await recordAuditEvent(trx, { ...requestAuditContext(request), action, ...details })
}

/** Records a refused access on its own (the request's transaction, if any, rolls back). */
export async function auditDenied<DB extends SharedTables>(
  db: Transaction<DB> | Kysely<DB>,
  request: FastifyRequest,
  details: Pick<AuditEvent, 'subjectKey' | 'resource' | 'purpose'> = {},
): Promise<void> {
  await recordDeniedAccess(db, { ...requestAuditContext(request), action: 'access.denied', ...details })
}
