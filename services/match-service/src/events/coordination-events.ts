import type { EventOrganisation, NotificationEvent } from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import { lockCoordination } from '../db/coordination.js'
import { eventOrganisations } from '../db/organisations.js'
import type { MatchDatabase } from '../db/schema.js'
import type { CoordinationChange } from '../domain/coordination-change.js'
import { activeEventParties, type PartiesReader, partiesOnce } from './match-events.js'
import { baseEvent } from './shapes.js'

/** Turns coordination changes into events: the parties, and the organisations each change concerns. */
export async function coordinationEvents(
  trx: Transaction<MatchDatabase>,
  changes: CoordinationChange[],
  now: Date,
  partiesOfMatch: PartiesReader = partiesOnce(trx),
): Promise<NotificationEvent[]> {
  const events: NotificationEvent[] = []
  for (const change of changes) {
    // Independent: written together when the caller's transaction is pipelined (changeEvents).
    const [c, parties] = await Promise.all([
      lockCoordination(trx, change.matchId),
      activeEventParties(partiesOfMatch, change.matchId),
    ])
    const ids = [
      ...new Set([
        ...change.tell,
        ...(c?.organisationId ? [c.organisationId] : []),
        ...(c?.pendingTransferTo ? [c.pendingTransferTo] : []),
      ]),
    ]
    const byId = new Map<string, EventOrganisation>(
      (await eventOrganisations(trx, ids)).map((o) => [o.id, o]),
    )
    const pendingTo = c?.pendingTransferTo ? byId.get(c.pendingTransferTo) : undefined
    events.push({
      ...baseEvent(change.type, now),
      matchId: change.matchId,
      parties,
      organisations: change.tell.map((id) => byId.get(id)).filter((o): o is EventOrganisation => Boolean(o)),
      coordination: c
        ? {
            organisation: c.organisationId ? (byId.get(c.organisationId) ?? null) : null,
            status: c.status,
            dueAt: c.dueAt?.toISOString() ?? null,
            escalationLevel: c.escalationLevel,
            pendingTransfer: pendingTo
              ? { organisation: pendingTo, proposedAt: (c.pendingTransferAt as Date).toISOString() }
              : null,
            reason: change.reason ?? null,
          }
        : null,
    })
  }
  return events
}
