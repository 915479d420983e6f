/**
 * The one source of "now". Every date rule (ages, deadlines, retention) reads it, so tests move time
 * instead of sleeping and production code never calls `new Date()` for a decision.
 */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** A clock for tests and simulations: starts at a given instant and only moves when told to. */
export class ManualClock implements Clock {
  #now: number
  constructor(start: Date | string = new Date()) {
    this.#now = new Date(start).getTime()
  }
  now(): Date {
    return new Date(this.#now)
  }
  set(to: Date | string): void {
    this.#now = new Date(to).getTime()
  }
  advance(ms: number): void {
    this.#now += ms
  }
}

export const TIME_ZONE = 'Europe/Amsterdam'

const dateInZone = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
})

/** The calendar date (YYYY-MM-DD) of an instant in Europe/Amsterdam, where every date rule is evaluated. */
export function amsterdamDate(instant: Date): string {
  return dateInZone.format(instant)
}
