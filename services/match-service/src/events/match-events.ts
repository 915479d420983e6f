import type { EventParty, NotificationEvent } from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import { partiesOf } from '../db/match-parties.js'
import type { MatchDatabase } from '../db/schema.js'
import type { MatchChange } from '../domain/matching.js'
import { baseEvent, toEventParty } from './shapes.js'

/** The events for match changes: every party still in the match, and those that left with this change. */
export async function matchChangeEvents(
  trx: Transaction<MatchDatabase>,
  changes: MatchChange[],
  now: Date,
): Promise<NotificationEvent[]> {
  const events: NotificationEvent[] = []
  for (const change of changes) {
    const parties = (await partiesOf(trx, change.matchId)).filter(
      (p) => p.leftAt === null || p.leftAt.getTime() === now.getTime(),
    )
    events.push({
      ...baseEvent(change.type, now),
      matchId: change.matchId,
      registrationId: change.registrationId,
      parties: parties.map(toEventParty),
    })
  }
  return events
}

/** The parties still in a match, as events name them. */
export async function activeEventParties(
  trx: Transaction<MatchDatabase>,
  matchId: string,
): Promise<EventParty[]> {
  return (await partiesOf(trx, matchId)).filter((p) => p.leftAt === null).map(toEventParty)
}
