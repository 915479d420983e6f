import { serviceActor } from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import type { MatchContext } from '../context.js'
import type { MatchDatabase } from '../db/schema.js'
import type { CoordinationChange } from '../domain/coordination-change.js'
import { coordinationEvents } from '../events/coordination-events.js'
import { publish } from '../events/publish.js'
import { auditChanges } from './audit-changes.js'

/** The service's own name in the audit trail, for what its schedule does. */
export const SERVICE = 'match-service'

/** Coordination changes the schedule made: the parties hear of them, and the audit trail names the service. */
export async function publishScheduledChanges(
  ctx: MatchContext,
  trx: Transaction<MatchDatabase>,
  changes: CoordinationChange[],
  subjectKey: string,
  now: Date,
): Promise<void> {
  if (changes.length === 0) return
  await publish(ctx.boss, trx, await coordinationEvents(trx, changes, now))
  await auditChanges(trx, serviceActor(SERVICE, now), subjectKey, { coordination: changes })
}
