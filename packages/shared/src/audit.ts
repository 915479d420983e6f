import type { Kysely, Transaction } from 'kysely'
import type { Actor } from './actor.js'
import { insertAuditEvents, type SharedTables } from './db/index.js'

/**
 * Every action the audit trail knows, with what it means: the catalogue auditors read
 * (docs/audit-actions.md is generated from it by `npm run docs`). Dotted: `<object>.<verb>`.
 */
export const AUDIT_ACTIONS = {
  'access.denied':
    'A request was refused: wrong role, another organisation, or a resource outside need-to-know.',
  'access.rate_limited':
    "A token's subject went over the rate limit; written once per subject per window, not per refused request.",
  'registration.create': 'A registration (melding) was made.',
  'registration.read': 'A registration was read by its own organisation.',
  'registration.list': 'An organisation listed its registrations.',
  'registration.update': "A registration's contact or duration was changed.",
  'registration.withdraw': 'A registration was withdrawn by its registrant.',
  'registration.history': 'Archived registrations on the same child were requested, with a purpose.',
  'registration.expire': 'A registration ended at the end of its duration.',
  'registration.organisation_deactivated':
    'A registration ended because an admin deactivated its organisation.',
  'registration.remind': 'The registrant was reminded that a registration is about to end.',
  'registration.purge': 'An archived registration was destroyed after the archive period.',
  'match.create': 'A match formed: two organisations registered the same child.',
  'match.join': 'An organisation joined an open match.',
  'match.leave': 'An organisation left a match.',
  'match.close': 'A match closed: fewer than two organisations remain.',
  'match.read': 'A match was read by a party, its coordinator or an escalation organisation.',
  'match.list': 'An organisation listed its matches.',
  'match.contacted': 'A party recorded that it coordinated with the others (and whom it contacted).',
  'match.follow_up_remind':
    'The schedule reminded a party to contact the others, or the coordinator of a due warm handover.',
  'match.follow_up_overdue':
    "Parties were still silent at the region's contactWithin: the coordinator was told, or the match escalated.",
  'match.warm_handover': 'The coordinator recorded the warm handover: care arranged and the family arrived.',
  'match.follow_up_list': 'An organisation read its follow-up to-do list.',
  'household.link': 'Registrations on children at one address were linked.',
  'household.read': 'Household links were read.',
  'household.told':
    "One working day after a registration with a household address, its registrant was told of the household's earlier registrations.",
  'household.probe_suspected':
    'A registration with a household address was withdrawn within a working day of its household links showing (or before): the pattern of probing an address.',
  'excluded_address.add':
    'An administrator added an address to the excluded addresses (it never links a household).',
  'excluded_address.remove': 'An administrator removed an address from the excluded addresses.',
  'excluded_address.list': 'An administrator listed the excluded addresses (their keyed hashes).',
  'coordination.proposed': "A care coordinator was designated by the region's rules.",
  'coordination.accept': 'The designated organisation accepted coordination.',
  'coordination.accepted': 'Coordination was accepted.',
  'coordination.decline': 'The designated organisation declined coordination.',
  'coordination.declined': 'Coordination was declined.',
  'coordination.unassigned': 'No candidate for coordination is left.',
  'coordination.transfer': 'The coordinator proposed a handover to another organisation.',
  'coordination.transfer_requested': 'A handover of coordination waits for the receiver.',
  'coordination.transferred': 'Coordination moved to another organisation.',
  'coordination.escalate': 'A party escalated a match.',
  'coordination.escalated': 'A match reached a step of the escalation ladder.',
  'region.write': 'A new version of a region document was stored.',
  'region.read': 'A region document was read.',
  'region.list': 'Regions were listed.',
  'statistics.read': "A policy officer or administrator read a region's monthly statistics.",
  'region.explain': 'A coordination decision was explained for a hypothetical case.',
  'organisation.create': 'An organisation was added.',
  'organisation.update': 'An organisation was changed (including (de)activation).',
  'organisation.read': 'An organisation was read.',
  'organisation.list': 'Organisations were listed.',
  'subject.lookup': 'A privacy officer looked up everything held on a child.',
  'subject.erase': "A privacy officer erased a child's data.",
  'subject.destroy': "A child's data was destroyed by the law's clock (age limit).",
  'request.replay': 'An idempotent request was answered from its stored answer.',
  'notification.send': 'A notification was delivered, or its attempt failed.',
  'notification.read': 'A notification was read.',
  'notification.list': 'Notifications were listed.',
  'notification.retry': 'An administrator requeued a notification.',
  'notification.purge': 'Delivered notifications past retention were deleted.',
  'webhook.create': 'A webhook was registered.',
  'webhook.list': 'Webhooks were listed.',
  'webhook.delete': 'A webhook was deleted.',
  'audit.query': 'The audit trail was searched.',
  'audit.counts': 'Audit counts were read.',
  'audit.export': 'The audit trail was exported.',
  'audit.verify': 'The hash chain was verified.',
  'audit.checkpoints': 'Signed checkpoints were read.',
  'audit.subject_report': "Every access to one child's data was reported.",
  'audit.purge': 'Audit events past retention were deleted.',
} as const satisfies Record<string, string>

export type AuditAction = keyof typeof AUDIT_ACTIONS

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
  action: AuditAction
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

/** What an action is about, beside who did it. */
export type AuditDetails = Pick<AuditEvent, 'subjectKey' | 'resource' | 'purpose' | 'outcome'>

/** The audit.events row an event is stored as: the one place that maps an event to its columns (statements
 * and SQL functions that write events are given these rows). */
export function auditRowOf(event: AuditEvent) {
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

/** The event an actor's action makes. */
export function auditEventOf(actor: Actor, action: AuditAction, details: AuditDetails = {}): AuditEvent {
  return {
    service: actor.service,
    occurredAt: actor.at,
    actor: {
      id: actor.id,
      organisation: actor.organisation,
      roles: actor.roles,
      onBehalfOf: actor.onBehalfOf,
    },
    requestId: actor.requestId,
    clientIp: actor.clientIp,
    userAgent: actor.userAgent,
    action,
    ...details,
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
  await insertAuditEvents(trx, events.map(auditRowOf))
}

/** Records one action of an actor inside the caller's transaction. */
export async function recordAudit<DB extends SharedTables>(
  trx: Transaction<DB> | Kysely<DB>,
  actor: Actor,
  action: AuditAction,
  details: AuditDetails = {},
): Promise<void> {
  await recordAuditEvents(trx, [auditEventOf(actor, action, details)])
}

/**
 * A refused request's own transaction rolls back, so its `access.denied` event is written on its own,
 * outside any transaction of the request: pass the pool, not a transaction.
 */
export async function recordDenied<DB extends SharedTables>(
  db: Kysely<DB>,
  actor: Actor,
  details: Pick<AuditEvent, 'subjectKey' | 'resource' | 'purpose'> = {},
): Promise<void> {
  await recordAuditEvents(db, [auditEventOf(actor, 'access.denied', { ...details, outcome: 'denied' })])
  for (const listener of deniedListeners) listener(actor)
}

const deniedListeners = new Set<(actor: Actor) => void>()

/** Told of every recorded `access.denied` (the metrics count them by route); answers the unsubscribe. */
export function onAccessDenied(listener: (actor: Actor) => void): () => void {
  deniedListeners.add(listener)
  return () => deniedListeners.delete(listener)
}

/** The first over-limit request of a verified subject in a window (later ones in the window write nothing). */
export async function recordRateLimited<DB extends SharedTables>(
  db: Kysely<DB>,
  actor: Actor,
): Promise<void> {
  await recordAuditEvents(db, [
    auditEventOf(actor, 'access.rate_limited', { outcome: 'denied', resource: { type: 'route', id: 'any' } }),
  ])
}
