import type { Region, Statistics, StatisticsGroup } from '../api/index.js'
import { type Html, html } from '../html.js'
import { alert, button, describedBy, field, layout, type PageContext, select, table } from './layout.js'

type Value = number | null
interface Measure {
  path: string
  /** Per month: a count, or null when suppressed. */
  values: Value[]
}
interface Breakdown {
  path: string
  keys: string[]
  /** Per month: key → count (null: suppressed). */
  values: Record<string, Value>[]
}

const isBreakdown = (name: string) => /^by[A-Z]|By[A-Z]/.test(name)

/** The months' figures as measures (one count per month) and breakdowns (counts per key per month). */
export function measuresOf(statistics: Statistics): { measures: Measure[]; breakdowns: Breakdown[] } {
  const measures = new Map<string, Measure>()
  const breakdowns = new Map<string, Breakdown>()
  const n = statistics.months.length
  statistics.months.forEach((month, i) => {
    const walk = (group: StatisticsGroup, prefix: string) => {
      for (const [name, value] of Object.entries(group)) {
        if (name === 'month' && prefix === '') continue
        const path = prefix ? `${prefix}.${name}` : name
        if (value !== null && typeof value === 'object') {
          if (!isBreakdown(name)) walk(value, path)
          else {
            const b: Breakdown = breakdowns.get(path) ?? {
              path,
              keys: [],
              values: Array.from({ length: n }, () => ({})),
            }
            for (const [key, count] of Object.entries(value)) {
              if (!b.keys.includes(key)) b.keys.push(key)
              ;(b.values[i] as Record<string, Value>)[key] = typeof count === 'number' ? count : null
            }
            breakdowns.set(path, b)
          }
        } else {
          const m = measures.get(path) ?? { path, values: Array.from({ length: n }, () => null) }
          m.values[i] = typeof value === 'number' ? value : null
          measures.set(path, m)
        }
      }
    }
    walk(month as StatisticsGroup, '')
  })
  return { measures: [...measures.values()], breakdowns: [...breakdowns.values()] }
}

const number = (ctx: PageContext, value: number) =>
  new Intl.NumberFormat(ctx.lang === 'en' ? 'en-GB' : 'nl-NL', { maximumFractionDigits: 2 }).format(value)

/** A bar chart as inline SVG, drawn on the server: no script, nothing the CSP has to allow. */
export function barChart(
  ctx: PageContext,
  id: string,
  title: string,
  months: string[],
  values: Value[],
): Html {
  const width = 640
  const height = 220
  const left = 48
  const bottom = 28
  const top = 16
  const max = Math.max(1, ...values.map((v) => v ?? 0))
  const slot = (width - left) / Math.max(1, values.length)
  const bar = Math.min(48, slot * 0.7)
  const y = (v: number) => top + (height - top - bottom) * (1 - v / max)
  const suppressed = ctx.t.statistics.suppressed
  return html`<svg class="console-chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-title" xmlns="http://www.w3.org/2000/svg">
<title id="${id}-title">${title}</title>
<line x1="${left}" y1="${height - bottom}" x2="${width}" y2="${height - bottom}" stroke="#595959"/>
<text x="${left - 6}" y="${top + 4}" text-anchor="end" font-size="11" fill="#1a1a1a">${number(ctx, max)}</text>
<text x="${left - 6}" y="${height - bottom}" text-anchor="end" font-size="11" fill="#1a1a1a">0</text>
${values.map((v, i) => {
  const x = left + slot * i + (slot - bar) / 2
  const label = html`<text x="${x + bar / 2}" y="${height - 8}" text-anchor="middle" font-size="11" fill="#1a1a1a">${months[i] ?? ''}</text>`
  if (v === null)
    return html`<rect x="${x}" y="${top}" width="${bar}" height="${height - top - bottom}" fill="none" stroke="#8a8a8a" stroke-dasharray="4 3"><title>${months[i] ?? ''}: ${suppressed}</title></rect>
<text x="${x + bar / 2}" y="${height - bottom - 6}" text-anchor="middle" font-size="11" fill="#1a1a1a">&lt; 5</text>${label}`
  return html`<rect x="${x}" y="${y(v)}" width="${bar}" height="${height - bottom - y(v)}" fill="#24578f"><title>${months[i] ?? ''}: ${number(ctx, v)}</title></rect>
<text x="${x + bar / 2}" y="${y(v) - 4}" text-anchor="middle" font-size="11" fill="#1a1a1a">${number(ctx, v)}</text>${label}`
})}
</svg>`
}

/** A measure's or breakdown's name for people (its path in the figures when none is known). */
const measureLabel = (ctx: PageContext, path: string) => ctx.t.labels.measures[path] ?? path

/** A breakdown key's name: a sector, an escalation level, or a code (a municipality's CBS code stays). */
function keyLabel(ctx: PageContext, path: string, key: string): string {
  const labels = ctx.t.labels
  if (path.endsWith('.bySector')) return labels.sectors[key] ?? key
  if (path.endsWith('.escalationsByLevel')) return labels.level(key)
  return labels.keys[key] ?? key
}

export interface StatisticsQuery {
  region: string
  from: string
  to: string
}

/** The policy officer's figures: a table and a chart per measure, a table per breakdown, CSV download. */
export function statisticsPage(
  ctx: PageContext,
  regions: Region[],
  query: StatisticsQuery,
  result: Statistics | null,
  errors: Record<string, string>,
  general: string | null,
): string {
  const s = ctx.t.statistics
  const cell = (v: Value) =>
    v === null ? html`<span class="console-suppressed">${s.suppressed}</span>` : number(ctx, v)
  const monthInput = (id: 'from' | 'to', label: string) => {
    const by = describedBy(id, { hint: s.monthHint, error: errors[id] })
    return field(
      id,
      label,
      html`<input class="utrecht-textbox utrecht-textbox--html-input" type="text" inputmode="numeric" id="${id}" name="${id}" value="${query[id]}"${
        by ? html` aria-describedby="${by}"` : ''
      }${errors[id] ? html` aria-invalid="true"` : ''}>`,
      { hint: s.monthHint, error: errors[id] },
    )
  }
  const parts = result ? measuresOf(result) : { measures: [], breakdowns: [] }
  const months = result?.months.map((m) => m.month) ?? []
  const csv = new URLSearchParams({ ...query }).toString()
  return layout(ctx, s.title, [
    Object.keys(errors).length || general ? alert('error', general ?? ctx.t.errors.fix) : '',
    html`<p class="utrecht-paragraph">${s.intro}</p>
<form method="get" action="/statistics" class="utrecht-form console-filters">`,
    field(
      'region',
      s.region,
      select(
        'region',
        regions.map((r) => [r.code, r.code]),
        query.region,
      ),
    ),
    monthInput('from', s.from),
    monthInput('to', s.to),
    button(s.show),
    html`</form>`,
    result
      ? [
          html`<p><a class="utrecht-link" href="/statistics.csv?${csv}" download>${s.csv}</a></p>`,
          parts.measures.map(
            (
              m,
              i,
            ) => html`<section aria-labelledby="measure-${i}"><h2 class="utrecht-heading-2" id="measure-${i}">${measureLabel(ctx, m.path)}</h2>
${table(
  [s.month, s.value],
  m.values.map((v, j) => [months[j] ?? '', cell(v)]),
  measureLabel(ctx, m.path),
)}
${barChart(ctx, `chart-${i}`, `${s.chart}: ${measureLabel(ctx, m.path)}`, months, m.values)}</section>`,
          ),
          parts.breakdowns.map(
            (
              b,
              i,
            ) => html`<section aria-labelledby="breakdown-${i}"><h2 class="utrecht-heading-2" id="breakdown-${i}">${measureLabel(ctx, b.path)}</h2>
${
  b.keys.length
    ? table(
        [s.key, ...months],
        b.keys.map((k) => [
          keyLabel(ctx, b.path, k),
          ...b.values.map((row) => (k in row ? cell(row[k] ?? null) : '0')),
        ]),
        measureLabel(ctx, b.path),
      )
    : html`<p class="utrecht-paragraph">—</p>`
}</section>`,
          ),
        ]
      : '',
  ])
}
