import type { EventFollowUp, NotificationEvent } from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import { lockCoordination } from '../db/coordination.js'
import { partiesOf } from '../db/match-parties.js'
import { eventOrganisations } from '../db/organisations.js'
import type { MatchDatabase } from '../db/schema.js'
import { baseEvent, toEventParty } from './shapes.js'

/**
 * A `match.follow_up_due` event for the ones it concerns only: a silent party (by its registration) or the
 * coordinator (by organisation id). The match's id lets them open it in the index.
 */
export async function followUpEvent(
  trx: Transaction<MatchDatabase>,
  matchId: string,
  to: { registrationId?: string; organisationId?: string },
  followUp: { due: EventFollowUp['due']; dueAt: Date | null; silent?: string[] },
  now: Date,
): Promise<NotificationEvent> {
  const parties = (await partiesOf(trx, matchId)).filter(
    (p) => to.registrationId !== undefined && p.registrationId === to.registrationId,
  )
  const c = await lockCoordination(trx, matchId)
  const named = [
    ...(to.organisationId ? [to.organisationId] : []),
    ...(c?.organisationId ? [c.organisationId] : []),
    ...(followUp.silent ?? []),
  ]
  const byId = new Map((await eventOrganisations(trx, [...new Set(named)])).map((o) => [o.id, o]))
  const coordinator = c?.organisationId ? byId.get(c.organisationId) : undefined
  return {
    ...baseEvent('match.follow_up_due', now),
    matchId,
    parties: parties.map(toEventParty),
    organisations: to.organisationId && byId.has(to.organisationId) ? [byId.get(to.organisationId)!] : [],
    coordination: c
      ? {
          organisation: coordinator ?? null,
          status: c.status,
          dueAt: c.dueAt?.toISOString() ?? null,
          escalationLevel: c.escalationLevel,
          pendingTransfer: null,
          reason: null,
        }
      : null,
    followUp: {
      due: followUp.due,
      dueAt: followUp.dueAt?.toISOString() ?? null,
      silent: (followUp.silent ?? []).flatMap((id) => (byId.has(id) ? [byId.get(id)!] : [])),
    },
  }
}
