import type { Kysely } from 'kysely'
import { coordinationOf, historyOf } from '../db/coordination.js'
import { organisationRefs } from '../db/organisations.js'
import type { MatchDatabase } from '../db/schema.js'
import type { CoordinationHistoryEvent } from '../domain/coordination-history.js'

/** A match's coordination as the parties see it: who, where it stands, and its history. */
export async function coordinationView(db: Kysely<MatchDatabase>, matchId: string) {
  const c = await coordinationOf(db, matchId)
  if (!c) return null
  const orgs = await organisationRefs(
    db,
    [c.organisationId, c.pendingTransferTo].filter((id): id is string => Boolean(id)),
  )
  const ref = (id: string | null) => orgs.find((o) => o.id === id) ?? null
  const pending = ref(c.pendingTransferTo)
  return {
    organisation: ref(c.organisationId),
    status: c.status,
    proposedAt: c.proposedAt,
    dueAt: c.dueAt,
    acceptedAt: c.acceptedAt,
    ruleId: c.ruleId,
    regionVersion: c.regionVersion,
    escalationLevel: c.escalationLevel,
    pendingTransfer:
      pending && c.pendingTransferAt ? { organisation: pending, proposedAt: c.pendingTransferAt } : null,
    history: (await historyOf(db, matchId)).map((h) => ({
      at: h.at,
      event: h.event as CoordinationHistoryEvent,
      organisation: h.organisationId,
      ruleId: h.ruleId,
      level: h.level,
      reason: h.reason,
    })),
  }
}
