import { type AuditAction, type NotificationEvent, recordAudit, serviceActor } from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import type { MatchContext } from '../context.js'
import { lockCoordination } from '../db/coordination.js'
import { claimMatch, followUpCandidateIds, markMatch, markParty, partyFollowUps } from '../db/follow-up.js'
import { getRegion } from '../db/regions.js'
import type { Match, MatchDatabase } from '../db/schema.js'
import { partyDeadlines, partyFollowUpDue, warmHandoverDueAt } from '../domain/follow-up.js'
import type { FollowUpRules } from '../domain/region-document.js'
import { followUpEvent } from '../events/follow-up-events.js'
import { publish } from '../events/publish.js'
import { reachEscalation } from './reach-escalation.js'
import { publishScheduledChanges, SERVICE } from './scheduled-changes.js'

/**
 * The follow-up schedule (issue 14): reminds a silent party once at `remindAfter`; at `contactWithin` tells
 * the coordinator who is still silent, or without one raises the match to escalation level 1; reminds the
 * accepted coordinator of the warm handover when it is due, and tells it when the match closed before.
 * Each match is claimed with SKIP LOCKED in a transaction of its own and every step is stamped under that
 * lock, so replicas running at once split the work and nothing goes out twice.
 */
export async function runFollowUp(ctx: MatchContext, now: Date): Promise<number> {
  let events = 0
  for (const matchId of await followUpCandidateIds(ctx.db)) {
    events += await ctx.db.transaction().execute(async (trx) => {
      const match = await claimMatch(trx, matchId)
      if (!match?.regionCode) return 0
      const region = await getRegion(trx, match.regionCode)
      const rules = region?.document.followUp
      if (!rules) return 0
      const holidays = region.document.holidays
      const out =
        match.status === 'open'
          ? [
              ...(await partiesDue(ctx, trx, match, rules, holidays, now)),
              ...(await handoverDue(trx, match, rules, holidays, now)),
            ]
          : await closedBeforeHandover(trx, match, rules, holidays, now)
      await publish(ctx.boss, trx, out)
      return out.length
    })
  }
  return events
}

async function partiesDue(
  ctx: MatchContext,
  trx: Transaction<MatchDatabase>,
  match: Match,
  rules: FollowUpRules,
  holidays: readonly string[],
  now: Date,
): Promise<NotificationEvent[]> {
  const events: NotificationEvent[] = []
  const silent: { registrationId: string; organisationId: string }[] = []
  for (const party of await partyFollowUps(trx, match.id)) {
    const due = partyFollowUpDue(party, rules, holidays, now)
    if (due.remind) {
      await markParty(trx, match.id, party.registrationId, { remindedAt: now })
      const { contactDueAt } = partyDeadlines(party.joinedAt, rules, holidays)
      events.push(
        await followUpEvent(
          trx,
          match.id,
          { registrationId: party.registrationId },
          { due: 'contact', dueAt: contactDueAt },
          now,
        ),
      )
      await auditFollowUp(trx, match, 'match.follow_up_remind', `contact by ${party.organisationId}`, now)
    }
    if (due.overdue) {
      await markParty(trx, match.id, party.registrationId, { overdueAt: now })
      silent.push(party)
    }
  }
  if (silent.length === 0) return events
  const organisations = [...new Set(silent.map((s) => s.organisationId))]
  await auditFollowUp(
    trx,
    match,
    'match.follow_up_overdue',
    `no contact recorded by ${organisations.join(', ')}`,
    now,
  )
  const coordination = await lockCoordination(trx, match.id)
  if (coordination?.organisationId && ['proposed', 'accepted'].includes(coordination.status)) {
    events.push(
      await followUpEvent(
        trx,
        match.id,
        { organisationId: coordination.organisationId },
        { due: 'contact_overdue', dueAt: null, silent: organisations },
        now,
      ),
    )
  } else if (coordination && coordination.escalationLevel < 1) {
    // Nobody coordinates: the ladder's first step hears of it and may read the match (docs/architecture.md).
    const changes = await reachEscalation(trx, coordination, 1, now, 'no_contact')
    await publishScheduledChanges(ctx, trx, changes, match.subjectKey, now)
  }
  return events
}

/** The accepted coordinator is reminded once when the warm handover is due and not yet recorded. */
async function handoverDue(
  trx: Transaction<MatchDatabase>,
  match: Match,
  rules: FollowUpRules,
  holidays: readonly string[],
  now: Date,
): Promise<NotificationEvent[]> {
  if (match.warmHandoverAt || match.handoverRemindedAt) return []
  const dueAt = warmHandoverDueAt(match.createdAt, rules, holidays)
  if (now < dueAt) return []
  const coordination = await lockCoordination(trx, match.id)
  if (coordination?.status !== 'accepted' || !coordination.organisationId) return []
  await markMatch(trx, match.id, { handoverRemindedAt: now })
  return remindCoordinatorOfHandover(trx, match, coordination.organisationId, 'warm_handover', dueAt, now)
}

/**
 * A match that closed (the transferring party withdrew) before the warm handover: its accepted coordinator
 * is told once that it may still record the handover until the window passes. Every closed match is
 * stamped, told or not, so the schedule looks at it once.
 */
async function closedBeforeHandover(
  trx: Transaction<MatchDatabase>,
  match: Match,
  rules: FollowUpRules,
  holidays: readonly string[],
  now: Date,
): Promise<NotificationEvent[]> {
  if (match.closeToldAt || match.warmHandoverAt) return []
  await markMatch(trx, match.id, { closeToldAt: now })
  const dueAt = warmHandoverDueAt(match.createdAt, rules, holidays)
  const coordination = await lockCoordination(trx, match.id)
  if (now >= dueAt || !coordination?.acceptedAt || !coordination.organisationId) return []
  return remindCoordinatorOfHandover(
    trx,
    match,
    coordination.organisationId,
    'closed_before_handover',
    dueAt,
    now,
  )
}

/** Tells the coordinator once about the warm handover (due, or still possible after the close), audited. */
async function remindCoordinatorOfHandover(
  trx: Transaction<MatchDatabase>,
  match: Match,
  organisationId: string,
  due: 'warm_handover' | 'closed_before_handover',
  dueAt: Date,
  now: Date,
): Promise<NotificationEvent[]> {
  const purpose = due === 'warm_handover' ? 'warm handover' : 'warm handover after close'
  await auditFollowUp(trx, match, 'match.follow_up_remind', `${purpose} by ${organisationId}`, now)
  return [await followUpEvent(trx, match.id, { organisationId }, { due, dueAt }, now)]
}

/** The follow-up schedule's audit event about one match. */
function auditFollowUp(
  trx: Transaction<MatchDatabase>,
  match: Match,
  action: AuditAction,
  purpose: string,
  now: Date,
): Promise<void> {
  return recordAudit(trx, serviceActor(SERVICE, now), action, {
    subjectKey: match.subjectKey,
    resource: { type: 'match', id: match.id },
    purpose,
  })
}
