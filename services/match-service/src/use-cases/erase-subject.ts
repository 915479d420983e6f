import { type Actor, recordAudit, subjectKey } from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import type { MatchContext } from '../context.js'
import { activeRegistrationsOfSubject } from '../db/registrations.js'
import type { MatchDatabase, Registration } from '../db/schema.js'
import { destroySubject, getSubject, heldCounts, lockSubject } from '../db/subjects.js'
import type { EndReason } from '../domain/registration.js'
import { endRegistration } from './end-registration.js'

export type ErasureReason = 'objection' | 'deceased' | 'error'

/**
 * Ends every active registration on the child (each through the same path as a withdrawal, so the
 * parties hear that the match ended), then destroys everything. The subject must be locked.
 */
export async function endAndDestroySubject(
  ctx: MatchContext,
  trx: Transaction<MatchDatabase>,
  key: string,
  reason: EndReason,
  now: Date,
): Promise<Registration[]> {
  const active = await activeRegistrationsOfSubject(trx, key)
  for (const registration of active) await endRegistration(ctx, trx, registration, reason, now)
  await destroySubject(trx, key)
  return active
}

/** A privacy officer erases everything held on a child (AVG art. 17: objection, death, error). */
export async function eraseSubject(
  ctx: MatchContext,
  actor: Actor,
  bsn: string,
  reason: ErasureReason,
): Promise<{ registrations: number; matches: number }> {
  const key = subjectKey(bsn, ctx.subjectKeySecret)
  const now = ctx.clock.now()
  return ctx.db.transaction().execute(async (trx) => {
    const subject = await getSubject(trx, key)
    let counts = { registrations: 0, matches: 0 }
    if (subject) {
      await lockSubject(trx, key, subject.birthDate, now)
      counts = await heldCounts(trx, key)
      await endAndDestroySubject(ctx, trx, key, 'erased', now)
    }
    await recordAudit(trx, actor, 'subject.erase', {
      subjectKey: key,
      resource: { type: 'subject', id: null },
      purpose: reason,
    })
    return counts
  })
}
