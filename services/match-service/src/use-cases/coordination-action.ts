import { type Actor, type AuditAction, ProblemError, recordAudit, recordDenied } from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import type { MatchContext } from '../context.js'
import { lockCoordination } from '../db/coordination.js'
import { isActiveParty } from '../db/match-parties.js'
import { getMatch } from '../db/matches.js'
import type { Coordination, Match, MatchDatabase } from '../db/schema.js'
import type { CoordinationChange } from '../domain/coordination-change.js'
import { awaitedAnswer } from '../domain/coordination-state.js'
import { coordinationEvents } from '../events/coordination-events.js'
import { publish } from '../events/publish.js'
import { toMatchView } from '../views/match-view.js'
import type { MatchView } from '../views/schemas.js'
import { auditChanges } from './audit-changes.js'
import { visibleMatch } from './visible-match.js'

export interface CoordinationAction {
  matchId: string
  /** The acting organisation. */
  organisationId: string
  /** What the audit trail calls the action; the changes it causes are audited beside it. */
  action: AuditAction
  /** Escalating and recording contact are for the current parties only (else 403, audited). */
  partiesOnly?: boolean
  change: (trx: Transaction<MatchDatabase>, match: Match, now: Date) => Promise<CoordinationChange[]>
}

/**
 * The frame of every action on a match's coordination: loads a match the caller may see (else 404,
 * audited), refuses a closed one, runs the change in one transaction, publishes its events and audits it.
 */
export async function actOnCoordination(
  ctx: MatchContext,
  actor: Actor,
  { matchId, organisationId, action, partiesOnly, change }: CoordinationAction,
): Promise<MatchView> {
  const match = await visibleMatch(ctx.db, actor, matchId, organisationId)
  if (partiesOnly && !(await isActiveParty(ctx.db, matchId, organisationId))) {
    await recordDenied(ctx.db, actor, {
      subjectKey: match.subjectKey,
      resource: { type: 'match', id: matchId },
    })
    throw new ProblemError('forbidden', 'Only a party of the match may do this')
  }
  if (match.status !== 'open') throw new ProblemError('conflict', 'This match is closed')
  const now = ctx.clock.now()
  await ctx.db.transaction().execute(async (trx) => {
    const changes = await change(trx, match, now)
    await publish(ctx.boss, trx, await coordinationEvents(trx, changes, now))
    await recordAudit(trx, actor, action, {
      subjectKey: match.subjectKey,
      resource: { type: 'match', id: matchId },
    })
    await auditChanges(trx, actor, match.subjectKey, {
      coordination: changes.filter((c) => c.type !== action),
    })
  })
  return toMatchView(ctx.db, (await getMatch(ctx.db, matchId)) as Match, organisationId, now)
}

/** Locks the coordination an organisation answers (accept or decline); 409 when nothing waits for its answer. */
export async function lockAwaitedAnswer(
  trx: Transaction<MatchDatabase>,
  matchId: string,
  organisationId: string,
): Promise<{ coordination: Coordination; answer: 'transfer' | 'proposal' }> {
  const coordination = await lockCoordination(trx, matchId)
  const answer = awaitedAnswer(coordination, organisationId)
  if (!coordination || !answer) {
    throw new ProblemError('conflict', 'Coordination of this match is not proposed to your organisation')
  }
  return { coordination, answer }
}
