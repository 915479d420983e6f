import type { FollowUpRules } from './region-document.js'
import { deadlineAfter } from './working-days.js'

/** A party's follow-up as the schedule judges it. */
export interface PartyFollowUpState {
  joinedAt: Date
  remindedAt: Date | null
  overdueAt: Date | null
  /** When it first recorded contact with the others, if it did. */
  contactedAt: Date | null
}

/** The deadlines of one party, counted in working days from its `since`. */
export function partyDeadlines(
  joinedAt: Date,
  rules: FollowUpRules,
  holidays: readonly string[],
): { remindAt: Date; contactDueAt: Date } {
  return {
    remindAt: deadlineAfter(joinedAt, rules.remindAfter, holidays),
    contactDueAt: deadlineAfter(joinedAt, rules.contactWithin, holidays),
  }
}

/** What the schedule owes a party on `now`: a reminder (once), a report of its silence (once), both or neither. */
export function partyFollowUpDue(
  party: PartyFollowUpState,
  rules: FollowUpRules,
  holidays: readonly string[],
  now: Date,
): { remind: boolean; overdue: boolean } {
  if (party.contactedAt) return { remind: false, overdue: false }
  const { remindAt, contactDueAt } = partyDeadlines(party.joinedAt, rules, holidays)
  return {
    remind: party.remindedAt === null && now >= remindAt,
    overdue: party.overdueAt === null && now >= contactDueAt,
  }
}

/** When the warm handover of a match is due: counted from the match's creation (the signal). */
export function warmHandoverDueAt(
  matchCreatedAt: Date,
  rules: FollowUpRules,
  holidays: readonly string[],
): Date {
  return deadlineAfter(matchCreatedAt, rules.warmHandoverWithin, holidays)
}

/** What an organisation still has to do in a match, for its to-do list. */
export type FollowUpTask = 'contact' | 'accept' | 'handover'
