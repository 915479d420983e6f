import type { Duration } from './region-document.js'
import { deadlineAfter } from './working-days.js'

/**
 * Household addresses are typed by the registrant, so an organisation can register an invented child at
 * any address and learn who else is involved with children there. The index keeps the household feature
 * but makes that probe slow and visible (docs/security.md): a registration sees its household links only
 * after this delay, while the organisations already involved are told of it at once.
 */
const HOUSEHOLD_DELAY: Duration = { workingDays: 1 }

/** When a registration made at `createdAt` starts to see its household links (its region's calendar). */
export function householdVisibleFrom(createdAt: Date, holidays: readonly string[]): Date {
  return deadlineAfter(createdAt, HOUSEHOLD_DELAY, holidays)
}

/**
 * Whether a registration's household links show now: after the delay, or at once while its child has an
 * open match — the match's parties already know each other, and a prober would need a second organisation.
 */
export function householdLinksShow(visibleAt: Date | null, inOpenMatch: boolean, now: Date): boolean {
  return inOpenMatch || (visibleAt !== null && visibleAt <= now)
}

/**
 * A withdrawal has the pattern of a probe when the registration carried a household address and ended
 * before its links had shown for a working day: register, wait for the links, read them, withdraw — or
 * give up before they show. Withdrawing a day later is not flagged; the registration then stood in the
 * index, told to the organisations involved, for two working days.
 */
export function isProbeSuspected(visibleAt: Date, endedAt: Date, holidays: readonly string[]): boolean {
  return endedAt < deadlineAfter(visibleAt, HOUSEHOLD_DELAY, holidays)
}
