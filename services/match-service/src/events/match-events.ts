import type { EventParty, NotificationEvent } from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import { type PartyRow, partiesOf } from '../db/match-parties.js'
import type { MatchDatabase } from '../db/schema.js'
import type { MatchChange } from '../domain/matching.js'
import { baseEvent, toEventParty } from './shapes.js'

/** A match's parties as the events of one change read them. */
export type PartiesReader = (matchId: string) => Promise<PartyRow[]>

/**
 * Reads each match's parties once for all the events one change makes: they are built after its last write,
 * so the match changes and the coordination changes of one match see the same parties.
 */
export function partiesOnce(trx: Transaction<MatchDatabase>): PartiesReader {
  const read = new Map<string, Promise<PartyRow[]>>()
  return (matchId) => {
    let parties = read.get(matchId)
    if (!parties) {
      parties = partiesOf(trx, matchId)
      read.set(matchId, parties)
    }
    return parties
  }
}

/**
 * The events for match changes: every party still in the match, and those that left with these changes —
 * known by the changes, not by the time: a party that left earlier at the same instant (a sweep's one
 * `now`, a test's clock) must not hear of what happens after it left.
 */
export async function matchChangeEvents(
  trx: Transaction<MatchDatabase>,
  changes: MatchChange[],
  now: Date,
  partiesOfMatch: PartiesReader = partiesOnce(trx),
): Promise<NotificationEvent[]> {
  const events: NotificationEvent[] = []
  for (const change of changes) {
    const leftNow = new Set(changes.filter((c) => c.matchId === change.matchId).flatMap((c) => c.left ?? []))
    const parties = (await partiesOfMatch(change.matchId)).filter(
      (p) => p.leftAt === null || leftNow.has(p.registrationId),
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
  partiesOfMatch: PartiesReader,
  matchId: string,
): Promise<EventParty[]> {
  return (await partiesOfMatch(matchId)).filter((p) => p.leftAt === null).map(toEventParty)
}
