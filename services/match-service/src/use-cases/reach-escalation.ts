import type { Transaction } from 'kysely'
import { addHistory, grantEscalationAccess, updateCoordination } from '../db/coordination.js'
import { organisationRefs } from '../db/organisations.js'
import { getRegion } from '../db/regions.js'
import type { Coordination, MatchDatabase } from '../db/schema.js'
import type { CoordinationChange } from '../domain/coordination-change.js'
import { stepsReached } from '../domain/escalation.js'

/** Raises the ladder to `level`, giving every step up to it read access to the match. */
export async function reachEscalation(
  trx: Transaction<MatchDatabase>,
  coordination: Coordination,
  level: number,
  now: Date,
  reason: string,
): Promise<CoordinationChange[]> {
  const region = coordination.regionCode
    ? await getRegion(trx, coordination.regionCode, coordination.regionVersion ?? undefined)
    : undefined
  const reached = stepsReached(
    region?.document.coordination.escalation ?? [],
    coordination.escalationLevel,
    level,
  )
  if (reached.length === 0) return []
  const existing = new Set(
    (
      await organisationRefs(
        trx,
        reached.flatMap((s) => s.notify),
      )
    ).map((o) => o.id),
  )
  const changes: CoordinationChange[] = []
  for (const step of reached) {
    const tell = step.notify.filter((id) => existing.has(id))
    if (tell.length > 0) await grantEscalationAccess(trx, coordination, tell, step.level, now)
    await addHistory(trx, {
      matchId: coordination.matchId,
      subjectKey: coordination.subjectKey,
      at: now,
      event: 'escalated',
      level: step.level,
      reason,
    })
    changes.push({ type: 'coordination.escalated', matchId: coordination.matchId, tell, reason })
  }
  const top = reached[reached.length - 1]!.level
  await updateCoordination(trx, coordination.matchId, { escalationLevel: top }, now)
  coordination.escalationLevel = top
  return changes
}
