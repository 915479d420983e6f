import { type Actor, recordAudit } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import type { Organisation } from '../db/schema.js'
import type { WithdrawReason } from '../domain/registration.js'
import { viewOf } from '../views/registration-view.js'
import type { RegistrationView } from '../views/schemas.js'
import { auditChanges } from './audit-changes.js'
import { endRegistration } from './end-registration.js'
import { flagHouseholdProbe } from './household-links.js'
import { ownRegistration } from './own-registration.js'

/** The registrant withdraws its registration, giving a reason code. */
export async function withdraw(
  ctx: MatchContext,
  actor: Actor,
  organisation: Organisation,
  id: string,
  reason: WithdrawReason,
): Promise<RegistrationView> {
  const registration = await ownRegistration(ctx.db, actor, organisation, id)
  const now = ctx.clock.now()
  return ctx.db.transaction().execute(async (trx) => {
    const { ended, changes, coordination } = await endRegistration(ctx, trx, registration, reason, now)
    await recordAudit(trx, actor, 'registration.withdraw', {
      subjectKey: ended.subjectKey,
      resource: { type: 'registration', id: ended.id },
    })
    await flagHouseholdProbe(trx, actor, organisation, ended)
    await auditChanges(trx, actor, ended.subjectKey, { match: changes, coordination })
    return viewOf(trx, ended, organisation)
  })
}
