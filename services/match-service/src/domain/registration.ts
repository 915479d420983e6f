import { LEGAL_MAX_DURATION_DAYS } from './age.js'

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Why a registration ended: the registrant's codes, the law's clock (expired, age limit), erasure, or its
 * organisation's deactivation by an admin.
 */
export const END_REASONS = [
  'resolved',
  'unjustified',
  'transferred',
  'error',
  'expired',
  'age_limit',
  'erased',
  'organisation_deactivated',
] as const
export type EndReason = (typeof END_REASONS)[number]

/** The reasons a registrant may give when withdrawing. */
export type WithdrawReason = Exclude<
  EndReason,
  'expired' | 'age_limit' | 'erased' | 'organisation_deactivated'
>

/** A region may shorten the law's maximum duration, never lengthen it. */
export function maxDurationDays(maxOfRegion: number): number {
  return Math.min(maxOfRegion, LEGAL_MAX_DURATION_DAYS)
}

/** The instant `days` whole days (of 24 hours) after `from`. */
export function daysAfter(from: Date, days: number): Date {
  return new Date(from.getTime() + days * DAY_MS)
}
