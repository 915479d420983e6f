import { type Actor, recordAudit } from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import type { MatchContext } from '../context.js'
import { activeRegistrationsOfOrganisation } from '../db/registrations.js'
import type { MatchDatabase } from '../db/schema.js'
import { auditChanges } from './audit-changes.js'
import { endRegistration } from './end-registration.js'

/**
 * What deactivating an organisation means, inside the admin's transaction: each of its active
 * registrations ends with reason `organisation_deactivated`, the way a withdrawal ends it (it leaves its
 * match, the other parties are told, coordination is re-designated). Reactivation brings none back.
 */
export async function endRegistrationsOfDeactivated(
  ctx: MatchContext,
  trx: Transaction<MatchDatabase>,
  actor: Actor,
  organisationId: string,
  now: Date,
): Promise<number> {
  const registrations = await activeRegistrationsOfOrganisation(trx, organisationId)
  for (const registration of registrations) {
    const { ended, changes, coordination } = await endRegistration(
      ctx,
      trx,
      registration,
      'organisation_deactivated',
      now,
    )
    await recordAudit(trx, actor, 'registration.organisation_deactivated', {
      subjectKey: ended.subjectKey,
      resource: { type: 'registration', id: ended.id },
    })
    await auditChanges(trx, actor, ended.subjectKey, { match: changes, coordination })
  }
  return registrations.length
}
