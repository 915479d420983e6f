import type { Sector } from '@verwijsindex/shared'
import { type Actor, ProblemError, recordAudit } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { archivedRegistrationsOfOthers } from '../db/registrations.js'
import type { Organisation } from '../db/schema.js'
import { ownRegistration } from './own-registration.js'

export type HistoryPurpose = 'assessment' | 'coordination' | 'other'

export interface ArchivedRegistration {
  organisation: { id: string; name: string; sector: Sector }
  contact: { name: string; email: string; phone: string }
  kind: 'concern' | 'involvement'
  period: { from: Date; to: Date }
}

/**
 * The archived registrations of other organisations on the child of an active registration: the law
 * allows them only on request, with a purpose, which the audit trail keeps.
 */
export async function requestHistory(
  ctx: MatchContext,
  actor: Actor,
  organisation: Organisation,
  id: string,
  purpose: HistoryPurpose,
): Promise<ArchivedRegistration[]> {
  const registration = await ownRegistration(ctx.db, actor, organisation, id)
  if (registration.status !== 'active') {
    throw new ProblemError('conflict', 'History can be requested only on an active registration')
  }
  return ctx.db.transaction().execute(async (trx) => {
    const archived = await archivedRegistrationsOfOthers(trx, registration.subjectKey, organisation.id)
    await recordAudit(trx, actor, 'registration.history', {
      subjectKey: registration.subjectKey,
      resource: { type: 'registration', id: registration.id },
      purpose,
    })
    return archived.map((a) => ({
      organisation: { id: a.id, name: a.name, sector: a.sector },
      contact: { name: a.contactName, email: a.contactEmail, phone: a.contactPhone },
      kind: a.kind,
      period: { from: a.createdAt, to: a.endedAt as Date },
    }))
  })
}
