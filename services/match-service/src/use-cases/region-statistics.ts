import { type Actor, amsterdamDate, ProblemError, recordAudit, recordDenied } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { getRegion, listRegions } from '../db/regions.js'
import { storedMonths, storeMonth } from '../db/statistics.js'
import type { MonthFigures } from '../domain/statistics.js'
import { type PublishedMonth, suppress } from '../domain/suppression.js'
import { nextMonth } from '../domain/working-days.js'
import { computeMonthFigures } from './compute-month-figures.js'

/** The longest range one request may ask for. */
export const MAX_MONTHS = 36

export interface RegionStatistics {
  region: string
  from: string
  to: string
  minCell: number
  months: PublishedMonth[]
  suppressed: string[]
}

export const currentMonth = (now: Date): string => amsterdamDate(now).slice(0, 7)

export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = []
  for (let m = from; m <= to && months.length <= MAX_MONTHS; m = nextMonth(m)) months.push(m)
  return months
}

/**
 * A region's monthly figures (issue 14) for a policy officer or an administrator, suppressed for small
 * cells. A closed month is read as stored when it closed (stored now if the monthly job has not yet run);
 * the running month is computed live. A policy officer restricted to another region gets 404, audited.
 */
export async function regionStatistics(
  ctx: MatchContext,
  actor: Actor,
  query: { region: string; from: string; to: string; restrictedTo: string | undefined },
): Promise<RegionStatistics> {
  const region = await getRegion(ctx.db, query.region)
  if (!region || (query.restrictedTo !== undefined && query.restrictedTo !== query.region)) {
    await recordDenied(ctx.db, actor, { resource: { type: 'region', id: query.region } })
    throw new ProblemError('not_found', 'No such region')
  }
  const now = ctx.clock.now()
  const running = currentMonth(now)
  if (query.to > running)
    throw new ProblemError('unprocessable', 'The range may not end after the running month', [
      { pointer: '/to', message: `must not be after ${running}` },
    ])
  const months = monthsBetween(query.from, query.to)
  if (months.length > MAX_MONTHS)
    throw new ProblemError('unprocessable', `At most ${MAX_MONTHS} months at once`, [
      { pointer: '/from', message: `the range spans more than ${MAX_MONTHS} months` },
    ])
  const stored = new Map(
    (await storedMonths(ctx.db, region.code, months)).map((r) => [r.month, r.figures as MonthFigures]),
  )
  const figures: MonthFigures[] = []
  for (const month of months) {
    let f = stored.get(month)
    if (!f) {
      f = await computeMonthFigures(ctx.db, region, month, now)
      if (month < running) await storeMonth(ctx.db, region.code, month, f, now)
    }
    figures.push(f)
  }
  const published = suppress(figures, ctx.statisticsMinCell)
  await recordAudit(ctx.db, actor, 'statistics.read', {
    resource: { type: 'region', id: region.code },
    purpose: `${query.from}..${query.to}`,
  })
  return { region: region.code, from: query.from, to: query.to, minCell: ctx.statisticsMinCell, ...published }
}

/**
 * The monthly job: stores every region's figures of the month that just closed, once. Erasure and purges
 * afterwards change live tables only; the stored month stays as published.
 */
export async function freezeClosedMonth(ctx: MatchContext, now: Date): Promise<number> {
  const running = currentMonth(now)
  const [y, m] = running.split('-').map(Number) as [number, number]
  const previous = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`
  let stored = 0
  for (const region of await listRegions(ctx.db, undefined, 100_000)) {
    if ((await storedMonths(ctx.db, region.code, [previous])).length > 0) continue
    const figures = await computeMonthFigures(ctx.db, region, previous, now)
    await storeMonth(ctx.db, region.code, previous, figures, now)
    stored++
  }
  return stored
}
