import { type Actor, type AuditAction, recordAudit } from '@verwijsindex/shared'
import type { Kysely } from 'kysely'
import type { MatchDatabase } from '../db/schema.js'

/**
 * A list is audited as a read of every item it showed (each names its child); an empty page still leaves
 * a trace that the list was asked for.
 */
export async function auditListRead(
  db: Kysely<MatchDatabase>,
  actor: Actor,
  items: { id: string; subjectKey: string }[],
  resource: { type: 'match' | 'registration'; read: AuditAction; list: AuditAction },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const item of items) {
      await recordAudit(trx, actor, resource.read, {
        subjectKey: item.subjectKey,
        resource: { type: resource.type, id: item.id },
      })
    }
    if (items.length === 0) await recordAudit(trx, actor, resource.list)
  })
}
