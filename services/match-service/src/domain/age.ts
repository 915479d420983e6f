/** Whole years between a birth date and a calendar date (both YYYY-MM-DD), as the law counts age. */
export function ageOn(birthDate: string, date: string): number {
  const years = Number(date.slice(0, 4)) - Number(birthDate.slice(0, 4))
  // Before the birthday in that year (a 29 February birthday counts from 1 March in other years).
  return date.slice(5) < birthDate.slice(5) ? years - 1 : years
}

/** The day a child turns `years` old: from then the index may hold nothing about them (at 23). */
export function birthdayAt(birthDate: string, years: number): string {
  const year = Number(birthDate.slice(0, 4)) + years
  const monthDay = birthDate.slice(5)
  if (monthDay === '02-29' && !isLeapYear(year)) return `${year}-03-01`
  return `${year}-${monthDay}`
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

/** The law's upper bound: registrations on someone aged 23 or older are refused (Jeugdwet 7.1.4). */
export const MAX_AGE = 23
/** The law's upper bound on a registration's duration: two years. */
export const LEGAL_MAX_DURATION_DAYS = 730
