import { type Actor, type AuditAction, recordAudit } from '@verwijsindex/shared'
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

/** Every match and coordination change an action caused is in the audit trail, in the action's name. */
export async function auditChanges(
  trx: Transaction<MatchDatabase>,
  actor: Actor,
  subjectKey: string,
  changes: { match?: MatchChange[]; coordination?: CoordinationChange[] },
): Promise<void> {
  for (const change of changes.match ?? []) {
    await recordAudit(trx, actor, MATCH_AUDIT_ACTION[change.type], {
      subjectKey,
      resource: { type: 'match', id: change.matchId },
    })
  }
  for (const change of changes.coordination ?? []) {
    await recordAudit(trx, actor, change.type, {
      subjectKey,
      resource: { type: 'match', id: change.matchId },
    })
  }
}
