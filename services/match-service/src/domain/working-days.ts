import { amsterdamDate, TIME_ZONE } from '@verwijsindex/shared'
import type { Duration } from './region-document.js'

/** Easter Sunday (Gregorian, anonymous algorithm) as YYYY-MM-DD. */
export function easterSunday(year: number): string {
  const a = year % 19
  const b = Math.floor(year / 100)
  const c = year % 100
  const d = Math.floor(b / 4)
  const e = b % 4
  const f = Math.floor((b + 8) / 25)
  const g = Math.floor((b - f + 1) / 3)
  const h = (19 * a + b - d - g + 15) % 30
  const i = Math.floor(c / 4)
  const k = c % 4
  const l = (32 + 2 * e + 2 * i - h - k) % 7
  const m = Math.floor((a + 11 * h + 22 * l) / 451)
  const month = Math.floor((h + l - 7 * m + 114) / 31)
  const day = ((h + l - 7 * m + 114) % 31) + 1
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

/**
 * The public holidays that are not working days (docs/architecture.md): Nieuwjaarsdag, Tweede Paasdag,
 * Koningsdag (27 April, 26 April when the 27th is a Sunday), Hemelvaartsdag, Tweede Pinksterdag, and
 * Eerste and Tweede Kerstdag.
 */
export function dutchHolidays(year: number): string[] {
  const easter = easterSunday(year)
  const kingsDay = new Date(`${year}-04-27T00:00:00Z`).getUTCDay() === 0 ? `${year}-04-26` : `${year}-04-27`
  return [
    `${year}-01-01`,
    addDays(easter, 1),
    kingsDay,
    addDays(easter, 39),
    addDays(easter, 50),
    `${year}-12-25`,
    `${year}-12-26`,
  ]
}

export function isWorkingDay(date: string, regionHolidays: readonly string[]): boolean {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay()
  if (weekday === 0 || weekday === 6) return false
  return !dutchHolidays(Number(date.slice(0, 4))).includes(date) && !regionHolidays.includes(date)
}

const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
})

/** Milliseconds Amsterdam is ahead of UTC at an instant (1 or 2 hours). */
function amsterdamOffset(instant: Date): number {
  const p = Object.fromEntries(partsFormat.formatToParts(instant).map((x) => [x.type, x.value]))
  const asUtc = Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
    Number(p.second),
  )
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000
}

/** The instant of a wall-clock time in Amsterdam on a given date. */
function amsterdamInstant(date: string, timeOfDayMs: number): Date {
  const wall = new Date(`${date}T00:00:00Z`).getTime() + timeOfDayMs
  let guess = wall - amsterdamOffset(new Date(wall))
  guess = wall - amsterdamOffset(new Date(guess))
  return new Date(guess)
}

/**
 * A deadline from an instant: `hours` are elapsed hours; `workingDays` counts working days in
 * Amsterdam and lands at the same wall-clock time on the last of them (a designation on Friday 15:00
 * with 1 working day is due Monday 15:00).
 */
export function deadlineAfter(from: Date, duration: Duration, regionHolidays: readonly string[]): Date {
  if ('hours' in duration) return new Date(from.getTime() + duration.hours * 3_600_000)
  const startDate = amsterdamDate(from)
  const timeOfDay = from.getTime() - amsterdamInstant(startDate, 0).getTime()
  let date = startDate
  let left = duration.workingDays
  while (left > 0) {
    date = addDays(date, 1)
    if (isWorkingDay(date, regionHolidays)) left--
  }
  return amsterdamInstant(date, timeOfDay)
}

/**
 * Whole working days from one instant to a later one: the working days after `from`'s Amsterdam date up
 * to and including `to`'s (a contact the same day is 0, the next working day 1). Negative spans are 0.
 */
export function workingDaysBetween(from: Date, to: Date, regionHolidays: readonly string[]): number {
  const end = amsterdamDate(to)
  let date = amsterdamDate(from)
  let days = 0
  while (date < end) {
    date = addDays(date, 1)
    if (isWorkingDay(date, regionHolidays)) days++
  }
  return days
}

/** The instant a calendar month (`YYYY-MM`) begins in Amsterdam. */
export function monthStart(month: string): Date {
  return amsterdamInstant(`${month}-01`, 0)
}

/** The month after `YYYY-MM`. */
export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number]
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`
}

const HOUR = 3_600_000

/**
 * The same working-day arithmetic as `workingDaysBetween` and `deadlineAfter`, memoised for figures over
 * many thousands of instants: an instant's Amsterdam date is cached per UTC hour (the offset is whole
 * hours), a date's working-day ordinal and midnight per date.
 */
export function workingCalendar(regionHolidays: readonly string[]) {
  const dates = new Map<number, string>()
  const ordinals = new Map<string, number>()
  const midnights = new Map<string, number>()
  const memo = <K, V>(cache: Map<K, V>, key: K, compute: () => V): V => {
    const known = cache.get(key)
    if (known !== undefined) return known
    const value = compute()
    cache.set(key, value)
    return value
  }
  const dateOf = (instant: Date) => {
    const hour = Math.floor(instant.getTime() / HOUR)
    return memo(dates, hour, () => amsterdamDate(new Date(hour * HOUR)))
  }
  // Working days after an anchor up to and including the date (anchor fixed; differences are what count).
  const anchor = '2000-01-01'
  let known = anchor
  let count = 0
  const ordinalOf = (date: string) => {
    while (known < date) {
      known = addDays(known, 1)
      if (isWorkingDay(known, regionHolidays)) count++
      ordinals.set(known, count)
    }
    return date <= anchor ? 0 : (ordinals.get(date) as number)
  }
  const offsets = new Map<number, number>()
  const offsetAt = (ms: number) => {
    const hour = Math.floor(ms / HOUR)
    return memo(offsets, hour, () => amsterdamOffset(new Date(hour * HOUR)))
  }
  // amsterdamInstant, on the cached offsets (transitions fall on whole UTC hours).
  const instantOf = (date: string, timeOfDay: number) => {
    const wall = Date.parse(`${date}T00:00:00Z`) + timeOfDay
    return wall - offsetAt(wall - offsetAt(wall))
  }
  const midnightOf = (date: string) => memo(midnights, date, () => instantOf(date, 0))
  const daysBetweenDates = (from: string, to: string) => Math.max(0, ordinalOf(to) - ordinalOf(from))
  return {
    daysBetween(from: Date, to: Date): number {
      return daysBetweenDates(dateOf(from), dateOf(to))
    },
    /** `daysBetween` of two Amsterdam dates (YYYY-MM-DD). */
    daysBetweenDates,
    deadline(from: Date, duration: Duration): Date {
      if ('hours' in duration) return new Date(from.getTime() + duration.hours * HOUR)
      const start = dateOf(from)
      const goal = ordinalOf(start) + duration.workingDays
      let date = start
      while (duration.workingDays > 0 && ordinalOf(date) < goal) date = addDays(date, 1)
      return new Date(instantOf(date, from.getTime() - midnightOf(start)))
    },
  }
}
