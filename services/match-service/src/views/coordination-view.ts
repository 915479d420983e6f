import type { Kysely } from 'kysely'
import { type CoordinationWithHistory, coordinationWithHistory } from '../db/coordination.js'
import type { MatchDatabase } from '../db/schema.js'
import type { CoordinationHistoryEvent } from '../domain/coordination-history.js'

/** A match's coordination as the parties see it: who, where it stands, and its history. */
export function toCoordinationView(c: CoordinationWithHistory) {
  const pending = c.pendingTransferOrganisation
  return {
    organisation: c.organisation,
    status: c.status,
    proposedAt: c.proposedAt,
    dueAt: c.dueAt,
    acceptedAt: c.acceptedAt,
    ruleId: c.ruleId,
    regionVersion: c.regionVersion,
    escalationLevel: c.escalationLevel,
    pendingTransfer:
      pending && c.pendingTransferAt ? { organisation: pending, proposedAt: c.pendingTransferAt } : null,
    history: c.history.map((h) => ({
      at: h.at,
      event: h.event as CoordinationHistoryEvent,
      organisation: h.organisationId,
      ruleId: h.ruleId,
      level: h.level,
      reason: h.reason,
    })),
  }
}

/** A match's coordination as the parties see it, read on its own; null without one. */
export async function coordinationView(db: Kysely<MatchDatabase>, matchId: string) {
  const c = await coordinationWithHistory(db, matchId)
  return c ? toCoordinationView(c) : null
}
