import {
  type Actor,
  type AuditAction,
  type AuditEvent,
  auditEventOf,
  recordAuditEvents,
} from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import type { MatchDatabase } from '../db/schema.js'
import type { CoordinationChange } from '../domain/coordination-change.js'
import type { MatchChange } from '../domain/matching.js'

const MATCH_AUDIT_ACTION: Record<MatchChange['type'], AuditAction> = {
  'match.created': 'match.create',
  'match.party_joined': 'match.join',
  'match.party_left': 'match.leave',
  'match.closed': 'match.close',
}

/** The audit events of every match and coordination change an action caused, in the action's name. */
export function changeAuditEvents(
  actor: Actor,
  subjectKey: string,
  changes: { match?: MatchChange[]; coordination?: CoordinationChange[] },
): AuditEvent[] {
  return [
    ...(changes.match ?? []).map((change) =>
      auditEventOf(actor, MATCH_AUDIT_ACTION[change.type], {
        subjectKey,
        resource: { type: 'match', id: change.matchId },
      }),
    ),
    ...(changes.coordination ?? []).map((change) =>
      auditEventOf(actor, change.type, { subjectKey, resource: { type: 'match', id: change.matchId } }),
    ),
  ]
}

/** Every match and coordination change an action caused is in the audit trail (one insert). */
export async function auditChanges(
  trx: Transaction<MatchDatabase>,
  actor: Actor,
  subjectKey: string,
  changes: { match?: MatchChange[]; coordination?: CoordinationChange[] },
): Promise<void> {
  const events = changeAuditEvents(actor, subjectKey, changes)
  if (events.length > 0) await recordAuditEvents(trx, events)
}
