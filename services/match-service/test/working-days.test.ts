import { describe, expect, it } from 'vitest'
import { ageOn, birthdayAt } from '../src/domain/age.js'
import {
  deadlineAfter,
  dutchHolidays,
  easterSunday,
  isWorkingDay,
  workingCalendar,
  workingDaysBetween,
} from '../src/domain/working-days.js'

describe('Dutch holidays', () => {
  it('knows Easter and the holidays that hang from it', () => {
    expect(easterSunday(2026)).toBe('2026-04-05')
    expect(easterSunday(2027)).toBe('2027-03-28')
    expect(dutchHolidays(2026)).toEqual([
      '2026-01-01',
      '2026-04-06', // Tweede Paasdag
      '2026-04-27', // Koningsdag
      '2026-05-14', // Hemelvaartsdag
      '2026-05-25', // Tweede Pinksterdag
      '2026-12-25',
      '2026-12-26',
    ])
    // 27 April 2025 is a Sunday: Koningsdag moves to Saturday the 26th.
    expect(dutchHolidays(2025)).toContain('2025-04-26')
  })

  it('counts weekends, national and regional holidays as non-working', () => {
    expect(isWorkingDay('2026-04-24', [])).toBe(true) // Friday
    expect(isWorkingDay('2026-04-25', [])).toBe(false) // Saturday
    expect(isWorkingDay('2026-04-27', [])).toBe(false) // Koningsdag, a Monday
    expect(isWorkingDay('2026-06-15', ['2026-06-15'])).toBe(false)
  })
})

describe('deadlines', () => {
  it('counts working days across a weekend and Koningsdag, at the same wall-clock time', () => {
    // Thursday 23 April 2026, 11:00 in Amsterdam (09:00Z).
    const due = deadlineAfter(new Date('2026-04-23T09:00:00Z'), { workingDays: 5 }, [])
    // Fri 24, (Sat, Sun, Koningsdag Mon 27), Tue 28, Wed 29, Thu 30, Fri 1 May.
    expect(due.toISOString()).toBe('2026-05-01T09:00:00.000Z')
  })

  it('keeps the Amsterdam wall-clock time across the change to summer time', () => {
    // Friday 27 March 2026 15:00 CET = 14:00Z; Monday 30 March 15:00 CEST = 13:00Z.
    expect(deadlineAfter(new Date('2026-03-27T14:00:00Z'), { workingDays: 1 }, []).toISOString()).toBe(
      '2026-03-30T13:00:00.000Z',
    )
  })

  it('counts hours as elapsed time', () => {
    expect(deadlineAfter(new Date('2026-03-27T14:00:00Z'), { hours: 48 }, []).toISOString()).toBe(
      '2026-03-29T14:00:00.000Z',
    )
  })
})

describe('age', () => {
  it('counts whole years on the evaluation day', () => {
    expect(ageOn('2016-05-10', '2026-05-09')).toBe(9)
    expect(ageOn('2016-05-10', '2026-05-10')).toBe(10)
    expect(ageOn('2012-02-29', '2026-02-28')).toBe(13)
    expect(ageOn('2012-02-29', '2026-03-01')).toBe(14)
    expect(birthdayAt('2003-02-28', 23)).toBe('2026-02-28')
    expect(birthdayAt('2004-02-29', 23)).toBe('2027-03-01')
  })
})

describe('the memoised working calendar', () => {
  it('agrees with deadlineAfter and workingDaysBetween over a year of instants, DST changes included', () => {
    const holidays = ['2026-06-15']
    const calendar = workingCalendar(holidays)
    for (
      let t = Date.parse('2026-01-01T00:30:00Z');
      t < Date.parse('2027-01-01T00:00:00Z');
      t += 7 * 3_600_000 + 13 * 60_000
    ) {
      const from = new Date(t)
      for (const workingDays of [0, 1, 5, 20]) {
        expect(calendar.deadline(from, { workingDays })).toEqual(
          deadlineAfter(from, { workingDays }, holidays),
        )
      }
      const to = new Date(t + 9 * 86_400_000 + 5 * 3_600_000)
      expect(calendar.daysBetween(from, to)).toBe(workingDaysBetween(from, to, holidays))
    }
  })
})
