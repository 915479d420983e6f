import { type Actor, ProblemError, ruleViolation } from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import type { MatchContext } from '../context.js'
import { addHistory, lockCoordination, updateCoordination } from '../db/coordination.js'
import { getOrganisation } from '../db/organisations.js'
import type { MatchDatabase } from '../db/schema.js'
import type { CoordinationChange } from '../domain/coordination-change.js'
import type { MatchView } from '../views/schemas.js'
import { actOnCoordination } from './coordination-action.js'

/** The accepted coordinator hands over to another organisation: the receiver keeps nothing until it accepts. */
export function transferCoordination(
  ctx: MatchContext,
  actor: Actor,
  organisationId: string,
  matchId: string,
  to: string,
): Promise<MatchView> {
  return actOnCoordination(ctx, actor, {
    matchId,
    organisationId,
    action: 'coordination.transfer',
    change: (trx, match, now) => requestTransfer(trx, match.id, organisationId, to, now),
  })
}

async function requestTransfer(
  trx: Transaction<MatchDatabase>,
  matchId: string,
  org: string,
  to: string,
  now: Date,
): Promise<CoordinationChange[]> {
  const c = await lockCoordination(trx, matchId)
  if (c?.status !== 'accepted' || c.organisationId !== org) {
    throw new ProblemError('conflict', 'Only the accepted coordinator can hand coordination over')
  }
  if (to === org) throw ruleViolation('/organisation', 'your organisation already coordinates this match')
  const receiver = await getOrganisation(trx, to)
  if (!receiver?.active)
    throw ruleViolation('/organisation', `organisation ${to} does not exist or is deactivated`)
  if (!receiver.mayCoordinate) throw ruleViolation('/organisation', `organisation ${to} may not coordinate`)
  await updateCoordination(trx, matchId, { pendingTransferTo: to, pendingTransferAt: now }, now)
  await addHistory(trx, {
    matchId,
    subjectKey: c.subjectKey,
    at: now,
    event: 'transfer_requested',
    organisationId: to,
    reason: `by ${org}`,
  })
  return [{ type: 'coordination.transfer_requested', matchId, tell: [to, org] }]
}
