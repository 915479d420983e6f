import { type NotificationEvent, pipelined } from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import type { MatchDatabase } from '../db/schema.js'
import type { CoordinationChange } from '../domain/coordination-change.js'
import type { MatchChange } from '../domain/matching.js'
import { coordinationEvents } from './coordination-events.js'
import { matchChangeEvents, partiesOnce } from './match-events.js'

/** The events of a registration's match and coordination changes, each match's parties read once. */
export async function changeEvents(
  trx: Transaction<MatchDatabase>,
  changes: { match: MatchChange[]; coordination: CoordinationChange[] },
  now: Date,
): Promise<NotificationEvent[]> {
  // Both only read: their statements go out together.
  const [match, coordination] = await pipelined(trx, (trx) => {
    const parties = partiesOnce(trx)
    return Promise.all([
      matchChangeEvents(trx, changes.match, now, parties),
      coordinationEvents(trx, changes.coordination, now, parties),
    ])
  })
  return [...match, ...coordination]
}
