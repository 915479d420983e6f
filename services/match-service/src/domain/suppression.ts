import type { MonthFigures } from './statistics.js'

/** A figure as published: every number may be null (suppressed). */
type Published<T> = T extends number
  ? number | null
  : T extends string
    ? T
    : T extends null
      ? null
      : { [K in keyof T]: Published<T[K]> }
export type PublishedMonth = Published<MonthFigures>

/** Rates and medians, and the count they are taken over: below the threshold they are not published. */
const RATES: { path: string[]; base: string[] }[] = [
  { path: ['followUp', 'followUpRate'], base: ['followUp', 'opened'] },
  { path: ['followUp', 'medianWorkingDaysToFirstContact'], base: ['followUp', 'contacted'] },
  { path: ['coordination', 'medianWorkingDaysToAcceptance'], base: ['coordination', 'accepted'] },
]

/** Breakdowns that sum to a published total: one suppressed cell alone could be recomputed by subtraction. */
const BREAKDOWNS: { total: string[]; cells: string[] }[] = [
  { total: ['registrations', 'created', 'total'], cells: ['registrations', 'created', 'bySector'] },
  { total: ['registrations', 'created', 'total'], cells: ['registrations', 'created', 'byKind'] },
  { total: ['registrations', 'created', 'total'], cells: ['registrations', 'created', 'byAgeBand'] },
  { total: ['registrations', 'created', 'total'], cells: ['registrations', 'created', 'byMunicipality'] },
  { total: ['registrations', 'ended', 'total'], cells: ['registrations', 'ended', 'byReason'] },
  { total: ['coordination', 'declined'], cells: ['coordination', 'declinesByReason'] },
  { total: ['coordination', 'escalated'], cells: ['coordination', 'escalationsByLevel'] },
]

const isRate = (path: string[]) => RATES.some((r) => r.path.join('/') === path.join('/'))

function at(obj: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj)
}

/** JSON Pointer (RFC 6901) of a path. */
export function pointer(path: readonly (string | number)[]): string {
  return path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('')
}

/**
 * Small-cell suppression (docs/integrators.md): a count from 1 to minCell − 1 is null (0 is published);
 * a rate or median whose base is below minCell is null; within a breakdown that sums to a published total,
 * a lone suppressed cell takes the next-smallest cell with it (the smallest non-zero, else the smallest),
 * so no cell can be recomputed by subtraction. Answers the published months and the pointers suppressed.
 */
export function suppress(
  months: readonly MonthFigures[],
  minCell: number,
): { months: PublishedMonth[]; suppressed: string[] } {
  const suppressed: string[] = []
  const published = months.map((figures, i) => {
    const copy = structuredClone(figures) as unknown as Record<string, unknown>
    const hide = (path: string[]) => {
      const parent = at(copy, path.slice(0, -1)) as Record<string, unknown>
      parent[path[path.length - 1] as string] = null
      suppressed.push(pointer(['months', i, ...path]))
    }
    const walk = (node: Record<string, unknown>, path: string[]) => {
      for (const [key, value] of Object.entries(node)) {
        const here = [...path, key]
        if (typeof value === 'number' && !isRate(here) && value > 0 && value < minCell) hide(here)
        else if (value && typeof value === 'object') walk(value as Record<string, unknown>, here)
      }
    }
    walk(copy, [])
    for (const rate of RATES) {
      const base = at(figures, rate.base) as number
      if (at(copy, rate.path) !== null && base < minCell) hide(rate.path)
    }
    for (const breakdown of BREAKDOWNS) {
      if (at(copy, breakdown.total) === null) continue
      const cells = at(copy, breakdown.cells) as Record<string, number | null>
      const hidden = Object.values(cells).filter((v) => v === null).length
      if (hidden !== 1) continue
      const open = Object.entries(cells).filter((e): e is [string, number] => e[1] !== null)
      const nonZero = open.filter(([, v]) => v > 0)
      const pool = nonZero.length > 0 ? nonZero : open
      const next = pool.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0]
      if (next) hide([...breakdown.cells, next[0]])
    }
    return copy as PublishedMonth
  })
  return { months: published, suppressed }
}

/** The figures as CSV: `month,measure,breakdown,key,value`, an empty value where suppressed. */
export function toCsv(months: readonly PublishedMonth[]): string {
  const lines = ['month,measure,breakdown,key,value']
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)
  for (const month of months) {
    const walk = (node: Record<string, unknown>, path: string[]) => {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'month' && path.length === 0) continue
        if (value !== null && typeof value === 'object') {
          walk(value as Record<string, unknown>, [...path, key])
          continue
        }
        const last = path[path.length - 1] ?? ''
        const inBreakdown = /(^by|By)[A-Z]/.test(last)
        const measure = (inBreakdown ? path.slice(0, -1) : [...path, key]).join('.')
        const row = [
          month.month,
          measure,
          inBreakdown ? last : '',
          inBreakdown ? key : '',
          value === null ? '' : String(value),
        ]
        lines.push(row.map(cell).join(','))
      }
    }
    walk(month as unknown as Record<string, unknown>, [])
  }
  return `${lines.join('\n')}\n`
}
