/**
 * The speed goals of issue 13 (and issue 14's statistics goal), judged on one run's figures: each becomes
 * a one-line verdict with the figure and the goal. A goal whose figures this run did not measure is left
 * out, not passed.
 */
import type { Figures, OpenLoopFigures } from './load.js'
import type { NotifyFigures } from './notify.js'
import type { ServiceFigures } from './service-bench.js'
import type { StatisticsFigures } from './statistics.js'
import type { SubjectReportFigures } from './subject-report.js'

export interface Verdict {
  goal: string
  figure: number
  target: number
  pass: boolean
  /** For a ratio: the best it could be with every core busy, from the CPU each side spends per answer. */
  ceiling?: number
  line: string
}

/**
 * What one answer costs in CPU on each side, and the ratio that allows: with every core busy, throughput
 * is the cores divided by the CPU per answer, so the route can reach at most pgbench's CPU per transaction
 * over its own CPU per answer (server, PostgreSQL and load generator together).
 */
function cpuAccount(app: Figures, sql: Figures): { ceiling: number; line: string } | undefined {
  const [a, b, c, d, e] = [
    app.serverCpuMs,
    app.postgresCpuMs,
    app.clientCpuMs,
    sql.postgresCpuMs,
    sql.clientCpuMs,
  ]
  if (a === undefined || b === undefined || c === undefined || d === undefined || e === undefined)
    return undefined
  const ceiling = (d + e) / (a + b + c)
  const f = (n: number) => n.toFixed(2)
  return {
    ceiling,
    line: `CPU per answer: the service ${f(a + b + c)} ms (server ${f(a)}, PostgreSQL ${f(b)}, load generator ${f(c)}), pgbench ${f(d + e)} ms (PostgreSQL ${f(d)}, pgbench ${f(e)}): with every core busy the ratio can be at most ${f(ceiling)}`,
  }
}

export interface MeasuredSizes {
  empty?: ServiceFigures
  preloaded?: { registrations: number; service?: ServiceFigures; subjectReport?: SubjectReportFigures }
  statistics?: StatisticsFigures
  notify?: NotifyFigures
  rate: number
}

const RATIO = 0.5
const STRETCH = 0.7
const P99_MS = 20
const REPORT_P99_MS = 50
const DRIFT = 0.15
const STATISTICS_MS = 1000

const ms = (n: number) => `${n.toFixed(1)} ms`
const verdict = (pass: boolean) => (pass ? 'PASS' : 'FAIL')
export const sizeLabel = (registrations: number) =>
  registrations >= 1_000_000 && registrations % 1_000_000 === 0
    ? `${registrations / 1_000_000}M registrations`
    : `${registrations.toLocaleString('en')} registrations`

function absolute(label: string, figures: ServiceFigures, rate: number): Verdict[] {
  const out: Verdict[] = []
  const ratio = (name: string, route: string, app: Figures, sql: Figures | undefined, script: string) => {
    const failure = figures.pgbenchFailures[script]
    if (failure)
      out.push({
        goal: `${label}: ${name} / pgbench ≥ ${RATIO}`,
        figure: Number.NaN,
        target: RATIO,
        pass: false,
        line: `FAIL  ${label}: ${route}: pgbench ${script} failed, no baseline (${failure.split('\n')[0]})`,
      })
    if (sql === undefined) return
    const figure = app.rps / sql.rps
    const stretch = figure >= STRETCH ? `, stretch ${STRETCH} met` : ''
    const cpu = cpuAccount(app, sql)
    out.push({
      goal: `${label}: ${name} / pgbench ≥ ${RATIO}`,
      figure,
      target: RATIO,
      pass: figure >= RATIO,
      ...(cpu ? { ceiling: cpu.ceiling } : {}),
      line: `${verdict(figure >= RATIO)}  ${label}: ${route} ${figure.toFixed(2)} × pgbench (${app.rps.toFixed(0)} req/s vs ${sql.rps.toFixed(0)} tps; goal ≥ ${RATIO}${stretch})${cpu ? `\n      ${cpu.line}` : ''}`,
    })
  }
  ratio('registration', 'registration', figures.registration, figures.registrationSql, 'registration.sql')
  ratio('match read', 'match read', figures.read, figures.readSql, 'match-read.sql')
  // PostgreSQL's own p99 at the same rate (pgbench, same statements, same server, same minute) is shown
  // beside the verdict: a commit flush that stalls for tens of milliseconds on this disk is under both.
  const p99 = (name: string, open: OpenLoopFigures, sql: OpenLoopFigures | undefined, script: string) => {
    const pass = open.p99 < P99_MS && open.errors === 0
    const errors = open.errors ? `, ${open.errors} errors` : ''
    const floor = sql
      ? `\n      pgbench ${script} at ${sql.offered}/s on the same server: p50 ${ms(sql.p50)}, p99 ${ms(sql.p99)}, max ${ms(sql.max)}`
      : ''
    out.push({
      goal: `${label}: ${name} p99 at ${rate}/s < ${P99_MS} ms`,
      figure: open.p99,
      target: P99_MS,
      pass,
      line: `${verdict(pass)}  ${label}: ${name} p99 ${ms(open.p99)} at an offered ${rate}/s (goal < ${P99_MS} ms${errors})${floor}`,
    })
  }
  p99('registration', figures.registrationOpenLoop, figures.registrationSqlOpenLoop, 'registration.sql')
  p99('match read', figures.readOpenLoop, figures.readSqlOpenLoop, 'match-read.sql')
  return out
}

/** Preloaded within 15% of empty: throughput no more than 15% lower, p99 no more than 15% higher. */
function drift(label: string, empty: ServiceFigures, loaded: ServiceFigures): Verdict[] {
  const pairs: [string, number, number, 'higher' | 'lower'][] = [
    ['registration req/s', empty.registration.rps, loaded.registration.rps, 'higher'],
    ['match read req/s', empty.read.rps, loaded.read.rps, 'higher'],
    ['registration p99', empty.registrationOpenLoop.p99, loaded.registrationOpenLoop.p99, 'lower'],
    ['match read p99', empty.readOpenLoop.p99, loaded.readOpenLoop.p99, 'lower'],
  ]
  return pairs.map(([name, before, after, better]) => {
    const change = after / before - 1
    const pass = better === 'higher' ? change >= -DRIFT : change <= DRIFT
    const unit = better === 'higher' ? '' : ' ms'
    const show = (n: number) => (better === 'higher' ? n.toFixed(0) : n.toFixed(1))
    return {
      goal: `${label}: ${name} within ${DRIFT * 100}% of empty`,
      figure: change,
      target: better === 'higher' ? -DRIFT : DRIFT,
      pass,
      line: `${verdict(pass)}  ${label}: ${name} ${show(after)}${unit} vs ${show(before)}${unit} empty (${change >= 0 ? '+' : ''}${(change * 100).toFixed(0)}%; goal within ${DRIFT * 100}%${better === 'higher' ? ' lower' : ' higher'})`,
    }
  })
}

export function judge(sizes: MeasuredSizes): Verdict[] {
  const out: Verdict[] = []
  if (sizes.empty) out.push(...absolute('empty', sizes.empty, sizes.rate))
  const loaded = sizes.preloaded
  if (loaded) {
    const label = sizeLabel(loaded.registrations)
    if (loaded.service) out.push(...absolute(label, loaded.service, sizes.rate))
    if (loaded.service && sizes.empty) out.push(...drift(label, sizes.empty, loaded.service))
    const report = loaded.subjectReport
    if (report) {
      const pass = report.p99 < REPORT_P99_MS && report.errors === 0
      out.push({
        goal: `${label}: subject report p99 < ${REPORT_P99_MS} ms`,
        figure: report.p99,
        target: REPORT_P99_MS,
        pass,
        line: `${verdict(pass)}  ${label}: audit subject report p99 ${ms(report.p99)} at an offered ${report.offered}/s, ${report.eventsPerChild.toLocaleString('en')} events per child (goal < ${REPORT_P99_MS} ms)`,
      })
    }
  }
  if (sizes.statistics && loaded) {
    const { max, p50, failures } = sizes.statistics
    const pass = max < STATISTICS_MS && failures === 0
    out.push({
      goal: `${sizeLabel(loaded.registrations)}: a year of statistics < ${STATISTICS_MS} ms`,
      figure: max,
      target: STATISTICS_MS,
      pass,
      line: `${verdict(pass)}  ${sizeLabel(loaded.registrations)}: a year of region statistics, slowest of ${sizes.statistics.reads} reads ${ms(max)} (p50 ${ms(p50)}${failures ? `, ${failures} failed` : ''}; goal < ${STATISTICS_MS} ms)`,
    })
  }
  if (sizes.notify) {
    const { keepsUp, rate, steady, duplicates } = sizes.notify
    out.push({
      goal: `mail keeps up with ${rate} registrations/s`,
      figure: steady.lagP99Seconds,
      target: 5,
      pass: keepsUp,
      line: `${verdict(keepsUp)}  mail keeps up with ${rate} registrations/s: p99 lag ${steady.lagP99Seconds.toFixed(1)} s, drained ${steady.drainSeconds === null ? 'not at all' : `in ${steady.drainSeconds.toFixed(1)} s`}, ${duplicates} duplicates (goal: p99 lag ≤ 5 s, drained within 5 s, none twice)`,
    })
  }
  return out
}
