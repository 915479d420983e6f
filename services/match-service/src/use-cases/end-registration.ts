import { ProblemError } from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import type { MatchContext } from '../context.js'
import { endActiveRegistration } from '../db/registrations.js'
import type { MatchDatabase, Registration } from '../db/schema.js'
import { lockExistingSubject } from '../db/subjects.js'
import type { CoordinationChange } from '../domain/coordination-change.js'
import type { MatchChange } from '../domain/matching.js'
import type { EndReason } from '../domain/registration.js'
import { changeEvents } from '../events/change-events.js'
import { publish } from '../events/publish.js'
import { registrationEvent } from '../events/registration-events.js'
import { leaveMatch } from './match-membership.js'
import { reevaluateChangedMatches } from './reevaluate-coordination.js'

/**
 * Ends an active registration inside the caller's transaction (the subject locked first): it leaves its
 * match, and the parties and the registrant are told. Withdrawal, expiry and erasure all end this way.
 */
export async function endRegistration(
  ctx: MatchContext,
  trx: Transaction<MatchDatabase>,
  registration: Registration,
  reason: EndReason,
  now: Date,
): Promise<{ ended: Registration; changes: MatchChange[]; coordination: CoordinationChange[] }> {
  await lockExistingSubject(trx, registration.subjectKey)
  const ended = await endActiveRegistration(trx, registration.id, reason, now)
  if (!ended) throw new ProblemError('conflict', `Registration ${registration.id} has already ended`)
  const changes = await leaveMatch(trx, ended, now)
  const coordination = await reevaluateChangedMatches(trx, changes, now)
  await publish(ctx.boss, trx, [
    ...(await changeEvents(trx, { match: changes, coordination }, now)),
    await registrationEvent(trx, ended, 'registration.ended', now),
  ])
  return { ended, changes, coordination }
}
