import { DECLINE_REASONS, SECTORS } from '@verwijsindex/shared'

/** Age bands of the figures, by whole years on the registration's creation date. */
export const AGE_BANDS = ['0-3', '4-11', '12-17', '18-22'] as const

export function ageBand(age: number): (typeof AGE_BANDS)[number] {
  if (age < 4) return '0-3'
  if (age < 12) return '4-11'
  if (age < 18) return '12-17'
  return '18-22'
}

type Counts = Record<string, number>

/**
 * One month of a region's figures, unsuppressed: what the monthly job stores and suppression reads.
 * Rates and medians sit beside the count they are taken over (their base).
 */
export interface MonthFigures {
  month: string
  registrations: {
    created: { total: number; bySector: Counts; byKind: Counts; byAgeBand: Counts; byMunicipality: Counts }
    ended: { total: number; byReason: Counts }
  }
  matches: {
    opened: number
    closed: number
    openAtMonthEnd: number
    householdLinks: number
    crossRegion: number
  }
  followUp: {
    /** Matches opened this month: the base of the follow-up rate. */
    opened: number
    /** … of which every party recorded contact within the region's contactWithin. */
    allContactedWithin: number
    followUpRate: number | null
    /** … of which any party recorded contact: the base of the median. */
    contacted: number
    medianWorkingDaysToFirstContact: number | null
    warmHandovers: number
  }
  coordination: {
    designated: number
    accepted: number
    medianWorkingDaysToAcceptance: number | null
    declined: number
    declinesByReason: Counts
    escalated: number
    escalationsByLevel: Counts
    unassignedAtMonthEnd: number
  }
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** Every key a breakdown publishes, zeros included, so months line up; extra keys found are kept. */
export function countsOf(keys: readonly string[], rows: readonly { key: string; count: number }[]): Counts {
  const counts: Counts = Object.fromEntries(keys.map((k) => [k, 0]))
  for (const row of rows) counts[row.key] = (counts[row.key] ?? 0) + row.count
  return counts
}

export const BREAKDOWN_KEYS = {
  sectors: SECTORS,
  kinds: ['concern', 'involvement'],
  declineReasons: DECLINE_REASONS,
} as const

export const sum = (counts: Counts): number => Object.values(counts).reduce((a, b) => a + b, 0)
