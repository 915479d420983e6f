/**
 * `npm run bench`: the speed goals of docs/operations.md §8, measured in one run on this machine, each
 * beside PostgreSQL's own speed (pgbench running the same statements), with a one-line verdict per goal
 * and every figure in bench/results/latest.json. Uses databases of its own (on BENCH_DATABASE_URL's server,
 * a superuser URL, else an embedded PostgreSQL), so it never touches your data.
 *
 *   BENCH=registration  match-service on an empty database (and a bare Fastify route)
 *   BENCH=preloaded     match-service and the audit subject report on BENCH_SIZE registrations (COPY)
 *   BENCH=statistics    a year of region statistics on BENCH_SIZE registrations
 *   BENCH=audit         the audit trail: 1,000,000 events sealed, verified and exported (bench/audit.ts)
 *   BENCH=notify        whether mail keeps up with 100 registrations a second (bench/notify.ts)
 *   BENCH=all           all five (the default); parts combine with commas: BENCH=registration,preloaded
 *
 * BENCH_SIZE (default 1m): registrations preloaded, with five audit events each. BENCH_SECONDS (default
 * 10): each measurement's length. BENCH_RATE (default 200): the open loop's requests per second for the
 * registration and the match read; BENCH_REPORT_RATE (default 20) for the audit subject report.
 * BENCH_PROCESSES (default: the number of cores): processes serving the bench server's ports.
 */
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import { type AuditFigures, runAuditBench } from './audit.js'
import { type BenchDatabase, benchDatabase } from './database.js'
import { judge, sizeLabel } from './goals.js'
import { type NotifyFigures, runNotifyBench } from './notify.js'
import { type Preloaded, parseSize, preload } from './preload.js'
import { describeMachine, type Machine, printServiceFigures, writeResults } from './results.js'
import { type BenchServer, benchProcesses, startBenchServer } from './server-process.js'
import { runServiceBench, type ServiceFigures } from './service-bench.js'
import { runStatisticsBench, type StatisticsFigures } from './statistics.js'
import { runSubjectReportBench, type SubjectReportFigures } from './subject-report.js'

const PARTS = ['registration', 'preloaded', 'statistics', 'audit', 'notify'] as const
type Part = (typeof PARTS)[number]
const CONNECTIONS = 50
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const RATE = Number(process.env.BENCH_RATE ?? 200)
// A privacy officer answers a few access requests a day: the report's goal is about the audit trail's size,
// so it is measured at a load that is already far above any real one, not at the hot routes' 200/s.
const REPORT_RATE = Number(process.env.BENCH_REPORT_RATE ?? 20)
const SIZE = parseSize(process.env.BENCH_SIZE)
const say = (line = '') => process.stdout.write(`${line}\n`)

function partsAsked(): Set<Part> {
  const asked = (process.env.BENCH ?? 'all').split(',').map((p) => p.trim())
  if (asked.includes('all')) return new Set(PARTS)
  const unknown = asked.filter((p) => !(PARTS as readonly string[]).includes(p))
  if (unknown.length) throw new Error(`BENCH: unknown part ${unknown.join(', ')} (${PARTS.join(', ')}, all)`)
  return new Set(asked as Part[])
}

let machine: Machine | undefined
/** A bench database with the fixture (and a preloaded year), and the server on it; both closed after `work`. */
async function onDatabase<T>(
  prefix: string,
  registrations: number,
  work: (url: string, server: BenchServer, loaded: Preloaded) => Promise<T>,
): Promise<T> {
  const database: BenchDatabase = await benchDatabase(prefix)
  try {
    machine ??= await describeMachine(database.url, !process.env.BENCH_DATABASE_URL)
    const secret = randomBytes(32).toString('hex')
    const loaded = await preload(database.url, registrations, { secret })
    const server = await startBenchServer(database.url, secret)
    try {
      return await work(database.url, server, loaded)
    } finally {
      await server.close()
    }
  } finally {
    await database.close()
  }
}

const durations: Record<string, number> = {}
const errors: Record<string, string> = {}

/** Runs one step, noting its seconds; a step that throws is noted too, and the run goes on without it. */
async function step<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
  const started = performance.now()
  try {
    return await work()
  } catch (error) {
    errors[name] = error instanceof Error ? error.message : String(error)
    say(`${name} failed: ${errors[name]}`)
    return undefined
  } finally {
    durations[name] = Math.round((performance.now() - started) / 100) / 10
    say(`(${name}: ${durations[name]} s)`)
  }
}

function describeLoad(load: Preloaded): string {
  const lanes = Object.entries(load.seconds.lanes).map(
    ([lane, s]) =>
      `${lane}: copy ${s.copy.toFixed(0)} s, indexes ${s.indexes.toFixed(0)} s, vacuum ${s.vacuum.toFixed(0)} s, prewarm ${s.prewarm.toFixed(0)} s`,
  )
  return `loaded in ${load.seconds.total.toFixed(0)} s (${lanes.join('; ')}), ${(load.bytes / 1024 ** 3).toFixed(1)} GB`
}

async function main() {
  const parts = partsAsked()
  const startedAt = new Date().toISOString()
  const options = { connections: CONNECTIONS, seconds: SECONDS, rate: RATE }
  say(
    `verwijsindex bench: ${[...parts].join(', ')}; ${CONNECTIONS} connections, ${SECONDS} s each, open loop at ${RATE}/s, size ${sizeLabel(SIZE)}, ${benchProcesses()} server process(es)`,
  )

  let empty: ServiceFigures | undefined
  if (parts.has('registration')) {
    say('\n== match-service on an empty database')
    empty = await step('registration', () =>
      onDatabase('verwijsindex_bench', 0, (url, server) =>
        runServiceBench(url, server, { ...options, bare: true }),
      ),
    )
    if (empty) printServiceFigures('empty database', empty, CONNECTIONS)
  }

  let load: Preloaded | undefined
  let service: ServiceFigures | undefined
  let subjectReport: SubjectReportFigures | undefined
  let statistics: StatisticsFigures | undefined
  if (parts.has('preloaded') || parts.has('statistics')) {
    say(`\n== preloaded: ${sizeLabel(SIZE)}, ${(SIZE * 5).toLocaleString('en')} audit events (COPY)`)
    await step('preloaded', () =>
      onDatabase('verwijsindex_bench_preloaded', SIZE, async (url, server, loaded) => {
        load = loaded
        durations['preloaded.load'] = Math.round(loaded.seconds.total * 10) / 10
        say(describeLoad(loaded))
        if (parts.has('preloaded')) {
          service = await step('preloaded.service', () =>
            runServiceBench(url, server, { ...options, bare: false }),
          )
          if (service) printServiceFigures(sizeLabel(SIZE), service, CONNECTIONS)
          subjectReport = await step('preloaded.subject-report', () =>
            runSubjectReportBench(server, { rate: REPORT_RATE, seconds: SECONDS }),
          )
          if (subjectReport)
            say(
              `  audit subject report (first page of ${subjectReport.pageSize}) at ${REPORT_RATE}/s: p50 ${subjectReport.p50.toFixed(1)} ms, p99 ${subjectReport.p99.toFixed(1)} ms, ${subjectReport.errors} errors`,
            )
        }
        if (parts.has('statistics')) {
          statistics = await step('statistics', () => runStatisticsBench(server))
          if (statistics)
            say(
              `  a year of region statistics: first read ${statistics.firstRead.toFixed(0)} ms in ${statistics.firstReadAttempts} attempt(s) (stores the closed months), then p50 ${statistics.p50.toFixed(0)} ms, max ${statistics.max.toFixed(0)} ms`,
            )
        }
      }),
    )
  }

  const audit: AuditFigures | undefined = parts.has('audit') ? await step('audit', runAuditBench) : undefined
  const notify: NotifyFigures | undefined = parts.has('notify')
    ? await step('notify', runNotifyBench)
    : undefined

  const verdicts = judge({
    empty,
    preloaded: load && { registrations: SIZE, service, subjectReport },
    statistics,
    notify,
    rate: RATE,
  })
  say('\n== verdicts')
  for (const v of verdicts) say(v.line)
  for (const [name, message] of Object.entries(errors)) say(`FAIL  ${name} did not finish: ${message}`)
  const file = await writeResults({
    startedAt,
    finishedAt: new Date().toISOString(),
    machine,
    loadAverageAtEnd: os.loadavg().map((n) => Number(n.toFixed(2))),
    settings: {
      parts: [...parts],
      connections: CONNECTIONS,
      seconds: SECONDS,
      rate: RATE,
      reportRate: REPORT_RATE,
      serverProcesses: benchProcesses(),
    },
    size: SIZE,
    durationsSeconds: durations,
    errors,
    empty,
    preloaded: load && { load, service, subjectReport },
    statistics,
    audit,
    notify,
    verdicts,
  })
  say(`\nraw results: ${file}`)
  if (Object.keys(errors).length) process.exitCode = 1
}

await main()
