/**
 * What a run leaves behind: its figures as tables on stdout, and everything (figures, machine, size,
 * verdicts, durations) in bench/results/latest.json plus a dated copy, so a note can quote them.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import type { Figures, OpenLoopFigures } from './load.js'
import { pgbenchVersion } from './pgbench.js'
import type { ServiceFigures } from './service-bench.js'

const say = (line = '') => process.stdout.write(`${line}\n`)
const resultsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results')

export interface Machine {
  cores: number
  cpu: string
  memoryGb: number
  node: string
  os: string
  postgres: string
  pgbench: string | null
  /** Where the bench databases live: the embedded PostgreSQL, or BENCH_DATABASE_URL's server (no password). */
  server: string
  /** 1, 5 and 15 minute load averages when the run started: other work on the machine shows here. */
  loadAverage: number[]
}

export async function describeMachine(databaseUrl: string, embedded: boolean): Promise<Machine> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const { rows } = await client.query<{ version: string }>('select version()')
  await client.end()
  const url = new URL(databaseUrl)
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    postgres: rows[0]?.version ?? 'unknown',
    pgbench: pgbenchVersion() ?? null,
    server: embedded ? 'embedded PostgreSQL (a temporary folder)' : `${url.hostname}:${url.port || 5432}`,
    loadAverage: os.loadavg().map((n) => Number(n.toFixed(2))),
  }
}

const row = (what: string, f: Figures, extra = '') => {
  const cpu = (ms: number | undefined) => (ms === undefined ? '' : ms.toFixed(2)).padStart(7)
  say(
    `  ${what.padEnd(44)} ${f.rps.toFixed(0).padStart(7)} ${f.p50.toFixed(1).padStart(8)} ${f.p99.toFixed(1).padStart(8)} ${String(f.errors).padStart(7)} ${cpu(f.serverCpuMs)} ${cpu(f.postgresCpuMs)} ${cpu(f.clientCpuMs)}${extra}`,
  )
}

export function printServiceFigures(label: string, f: ServiceFigures, connections: number): void {
  say()
  say(
    `${label}: ${f.rows.registrations.toLocaleString('en')} registrations, ${f.rows.matches.toLocaleString('en')} matches, ${f.rows.auditEvents.toLocaleString('en')} audit events at the end`,
  )
  // CPU milliseconds per answer: the service's process, PostgreSQL's, and the client's (load generator or pgbench).
  say(
    `  ${''.padEnd(44)} ${''.padStart(7)} ${''.padStart(8)} ${''.padStart(8)} ${''.padStart(7)} ${'CPU ms per answer'.padStart(23)}`,
  )
  say(
    `  ${'what'.padEnd(44)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)} ${'server'.padStart(7)} ${'pg'.padStart(7)} ${'client'.padStart(7)}`,
  )
  if (f.bare) row(`bare Fastify route, ${connections} connections`, f.bare)
  row(`POST /v1/registrations, ${connections} connections`, f.registration)
  if (f.registrationSql) row(`pgbench registration.sql, ${connections} clients`, f.registrationSql)
  row(`GET /v1/matches/{id}, ${connections} connections`, f.read)
  if (f.readSql) row(`pgbench match-read.sql, ${connections} clients`, f.readSql)
  const open = (what: string, o: OpenLoopFigures) =>
    row(`${what} at ${o.offered}/s`, o, `  (max ${o.max.toFixed(1)} ms)`)
  open('POST /v1/registrations', f.registrationOpenLoop)
  if (f.registrationSqlOpenLoop) open('pgbench registration.sql', f.registrationSqlOpenLoop)
  open('GET /v1/matches/{id}', f.readOpenLoop)
  if (f.readSqlOpenLoop) open('pgbench match-read.sql', f.readSqlOpenLoop)
}

/** Writes latest.json and a copy named after the start time and size; answers latest.json's path. */
export async function writeResults(
  results: { startedAt: string; size: number } & Record<string, unknown>,
): Promise<string> {
  await mkdir(resultsDir, { recursive: true })
  const json = `${JSON.stringify(results, null, 2)}\n`
  const stamp = results.startedAt.replace(/[:.]/g, '-')
  await writeFile(path.join(resultsDir, `${stamp}-${results.size}.json`), json)
  const latest = path.join(resultsDir, 'latest.json')
  await writeFile(latest, json)
  return latest
}
