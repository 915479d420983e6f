/**
 * match-service's figures on one database (empty or preloaded), each beside PostgreSQL's own:
 * registration and match read throughput at `connections` (autocannon) next to pgbench running the same
 * statements at the same concurrency, then both routes' latency at an offered `rate` per second (open loop).
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateBsn } from '@verwijsindex/shared/testing'
import pg from 'pg'
import { benchCpu, postgresCpu } from './cpu.js'
import { ORGS } from './fixture.js'
import { closedLoop, type Figures, type OpenLoopFigures, openLoop, type Request } from './load.js'
import { pgbench } from './pgbench.js'
import type { BenchServer } from './server-process.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const WARM_UP_SECONDS = 3
const say = (line: string) => process.stdout.write(`${line}\n`)

export interface ServiceFigures {
  bare?: Figures
  registration: Figures
  /** pgbench running bench/registration.sql (absent without pgbench). */
  registrationSql?: Figures
  read: Figures
  /** pgbench running bench/match-read.sql. */
  readSql?: Figures
  /** pgbench's error per script that failed (its figures are then absent). */
  pgbenchFailures: Record<string, string>
  registrationOpenLoop: OpenLoopFigures
  readOpenLoop: OpenLoopFigures
  /**
   * pgbench running the same statements at the same offered rate: PostgreSQL's own latency on this server
   * at this moment (commit flushes included), the floor under the service's p99.
   */
  registrationSqlOpenLoop?: OpenLoopFigures
  readSqlOpenLoop?: OpenLoopFigures
  /** Rows at the end, in the tables the load grows. */
  rows: { registrations: number; matches: number; auditEvents: number }
  readTargets: number
}

export interface ServiceBenchOptions {
  connections: number
  seconds: number
  rate: number
  /** Also measure the bare Fastify route (once per run is enough). */
  bare: boolean
}

/**
 * Registrations, each by a random organisation of the fixture. `fresh`: every one on a new child, the work of
 * bench/registration.sql, for the throughput beside pgbench. Else as a region's day goes: one request in four
 * on a child registered before, so matches form (and the match reads have matches to read).
 */
function registrations(server: BenchServer): (options: { fresh: boolean }) => (i: number) => Request {
  let counter = 0
  return ({ fresh }) =>
    () => {
      counter++
      const child = !fresh && counter % 4 === 0 ? Math.floor(Math.random() * counter) : counter
      return {
        method: 'POST',
        path: '/v1/registrations',
        headers: {
          authorization: `Bearer ${server.professional(Math.floor(Math.random() * ORGS))}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ bsn: generateBsn(child), birthDate: '2015-06-01', kind: 'concern' }),
      }
    }
}

interface ReadTarget {
  match_id: string
  organisation_id: string
}

/**
 * Up to 10,000 current parties of open matches, picked at random, into bench.read_targets: the rows both
 * the HTTP read and bench/match-read.sql take their match and organisation from.
 */
async function readTargets(client: pg.Client): Promise<ReadTarget[]> {
  await client.query(`create schema if not exists bench`)
  await client.query(`drop table if exists bench.read_targets`)
  await client.query(`
    create table bench.read_targets as
    select row_number() over () as n, t.*
      from (select p.match_id::text, p.organisation_id, p.subject_key
              from match.match_parties p
              join match.matches m on m.id = p.match_id and m.status = 'open'
             where p.left_at is null
             order by random() limit 10000) t`)
  await client.query(`alter table bench.read_targets add primary key (n)`)
  const { rows } = await client.query<ReadTarget>(
    `select match_id, organisation_id from bench.read_targets order by n`,
  )
  return rows
}

function reads(server: BenchServer, targets: ReadTarget[]): (i: number) => Request {
  return (i) => {
    const target = targets[i % targets.length]!
    const org = Number(target.organisation_id.split('-').pop()) - 1
    return {
      method: 'GET',
      path: `/v1/matches/${target.match_id}`,
      headers: { authorization: `Bearer ${server.professional(org)}` },
    }
  }
}

async function count(client: pg.Client, table: string): Promise<number> {
  return Number((await client.query(`select count(*) from ${table}`)).rows[0].count)
}

export async function runServiceBench(
  databaseUrl: string,
  server: BenchServer,
  options: ServiceBenchOptions,
): Promise<ServiceFigures> {
  const { connections, seconds, rate } = options
  const closed = { connections, seconds }
  // A failed pgbench run (a script error) is noted and judged, and the HTTP figures are still measured.
  const pgbenchFailures: Record<string, string> = {}
  const sql = (script: string, defines?: Record<string, number>, atRate?: number) => {
    try {
      const options = { clients: connections, seconds, defines, ...(atRate ? { rate: atRate } : {}) }
      return pgbench(databaseUrl, path.join(here, script), options)
    } catch (error) {
      pgbenchFailures[script] = error instanceof Error ? error.message : String(error)
      say(`  ${pgbenchFailures[script]}`)
      return undefined
    }
  }
  // pgbench at the open loop's rate: PostgreSQL's own latency beside the service's.
  const sqlAtRate = (script: string, defines?: Record<string, number>): OpenLoopFigures | undefined => {
    const figures = sql(script, defines, rate)
    return figures && { ...figures, offered: rate }
  }
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const postgresCpuMs = await postgresCpu(client)
  // Each step also notes the CPU time per answer of the server, PostgreSQL and the client (cpu.ts): where
  // the time goes when the ratio is low.
  const step = async <T extends Figures | undefined>(
    name: string,
    work: () => Promise<T> | T,
  ): Promise<T> => {
    const viaHttp = !name.startsWith('pgbench')
    const before = { server: server.cpuMs(), postgres: postgresCpuMs?.(), bench: benchCpu() }
    const result = await work()
    if (result) {
      const per = (ms: number) => ms / Math.max(1, result.requests)
      const bench = benchCpu()
      if (viaHttp) result.serverCpuMs = per(server.cpuMs() - before.server)
      if (before.postgres !== undefined && postgresCpuMs)
        result.postgresCpuMs = per(postgresCpuMs() - before.postgres)
      result.clientCpuMs = per(
        viaHttp ? bench.self - before.bench.self : bench.children - before.bench.children,
      )
    }
    say(`  ${name} done`)
    return result
  }
  try {
    const bare = options.bare
      ? await step('bare route', () =>
          closedLoop(server.bare, { ...closed, next: () => ({ method: 'GET', path: '/bare', headers: {} }) }),
        )
      : undefined
    const registering = registrations(server)
    // A running region, not a database a minute old: a warm-up of registrations (matches among them) and
    // then ANALYZE, as autovacuum does within a minute. Without it the server's connections keep the plans
    // they cached for empty tables, which read every row as the tables grow (hundreds of rows a request
    // within seconds), and Node's code is not yet compiled.
    await closedLoop(server.match, {
      connections,
      seconds: WARM_UP_SECONDS,
      next: registering({ fresh: false }),
    })
    await client.query('analyze')
    say('  warm-up done')
    const registration = await step('registrations', () =>
      closedLoop(server.match, { ...closed, next: registering({ fresh: true }) }),
    )
    const registrationSql = await step('pgbench registration.sql', () => sql('registration.sql'))
    const registrationOpenLoop = await step(`registrations at ${rate}/s`, () =>
      openLoop(server.match, { rate, seconds, next: registering({ fresh: false }) }),
    )

    const registrationSqlOpenLoop = await step(`pgbench registration.sql at ${rate}/s`, () =>
      sqlAtRate('registration.sql'),
    )

    const targets = await readTargets(client)
    if (targets.length === 0) throw new Error('no open match to read: the registrations made none')
    const readNext = reads(server, targets)
    const read = await step('match reads', () => closedLoop(server.match, { ...closed, next: readNext }))
    const readSql = await step('pgbench match-read.sql', () =>
      sql('match-read.sql', { count: targets.length }),
    )
    const readOpenLoop = await step(`match reads at ${rate}/s`, () =>
      openLoop(server.match, { rate, seconds, next: readNext }),
    )
    const readSqlOpenLoop = await step(`pgbench match-read.sql at ${rate}/s`, () =>
      sqlAtRate('match-read.sql', { count: targets.length }),
    )
    return {
      ...(bare ? { bare } : {}),
      registration,
      ...(registrationSql ? { registrationSql } : {}),
      read,
      ...(readSql ? { readSql } : {}),
      pgbenchFailures,
      registrationOpenLoop,
      readOpenLoop,
      ...(registrationSqlOpenLoop ? { registrationSqlOpenLoop } : {}),
      ...(readSqlOpenLoop ? { readSqlOpenLoop } : {}),
      rows: {
        registrations: await count(client, 'match.registrations'),
        matches: await count(client, 'match.matches'),
        auditEvents: await count(client, 'audit.events'),
      },
      readTargets: targets.length,
    }
  } finally {
    await client.end()
  }
}
