/**
 * `npm run bench`: match-service under autocannon, beside the same SQL under pgbench and a bare Fastify
 * route, on this machine, in one run. Prints throughput, p50/p99 and the ratios. Uses an embedded
 * PostgreSQL of its own (or BENCH_DATABASE_URL, a superuser URL), so it never touches your data.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '@verwijsindex/shared/embedded-postgres'
import { generateBsn, signToken } from '@verwijsindex/shared/testing'
import autocannon from 'autocannon'
import pg from 'pg'
import { runAuditBench } from './audit.js'
import { benchDatabase } from './database.js'
import { runNotifyBench } from './notify.js'
import { runStatisticsBench } from './statistics.js'

const CONNECTIONS = 50
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const ORGS = 50
const here = path.dirname(fileURLToPath(import.meta.url))
const say = (line = '') => process.stdout.write(`${line}\n`)

interface Result {
  name: string
  rps: number
  p50: number
  p99: number
  errors: number
}

function fromAutocannon(name: string, r: autocannon.Result): Result {
  return {
    name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.non2xx + r.errors,
  }
}

/** CPU milliseconds a process has used (user + system), from /proc; 0 where there is no /proc. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return 0
  }
}
let serverPid: number | undefined

async function load(name: string, options: autocannon.Options): Promise<Result> {
  const before = cpuMs(serverPid)
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options })
  const used = cpuMs(serverPid) - before
  say(`  ${name}: server CPU ${(used / result.requests.total).toFixed(3)} ms per request`)
  return fromAutocannon(name, result)
}

function pgbench(url: string, script: string): Result | undefined {
  const which = spawnSync('which', ['pgbench'], { encoding: 'utf8' })
  if (which.status !== 0) return undefined
  const u = new URL(url)
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(u.password) }
  const args = [
    '-h',
    u.hostname,
    '-p',
    u.port,
    '-U',
    u.username,
    '-n',
    '-M',
    'prepared',
    '-c',
    String(CONNECTIONS),
    '-j',
    '2',
    '-T',
    String(SECONDS),
    '-r',
    '-f',
    script,
    '--log',
    '--log-prefix',
    path.join(os.tmpdir(), `pgbench-${process.pid}`),
    u.pathname.slice(1),
  ]
  const run = spawnSync('pgbench', args, { env, encoding: 'utf8', cwd: os.tmpdir() })
  if (run.status !== 0) throw new Error(`pgbench failed: ${run.stderr}`)
  const tps = Number(/tps = ([\d.]+)/.exec(run.stdout)?.[1])
  // Per-transaction latencies from the log files (microseconds in column 3).
  const logs = spawnSync(
    'sh',
    [
      '-c',
      `cat ${path.join(os.tmpdir(), `pgbench-${process.pid}`)}.* && rm -f ${path.join(os.tmpdir(), `pgbench-${process.pid}`)}.*`,
    ],
    { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 },
  )
  const latencies = logs.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => Number(line.split(' ')[2]) / 1000)
    .sort((a, b) => a - b)
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN
  return { name: 'pgbench: the same SQL transaction', rps: tps, p50: pct(50), p99: pct(99), errors: 0 }
}

async function waitFor(child: ChildProcess, text: string): Promise<void> {
  let output = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      output += d
      if (output.includes(text)) resolve()
    })
    child.stderr?.on('data', (d) => {
      output += d
    })
    child.on('exit', () => reject(new Error(`bench server exited:\n${output}`)))
  })
}

async function main() {
  const database = await benchDatabase('verwijsindex_bench')
  const dbUrl = new URL(database.url)

  const env = {
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: dbUrl.toString(),
    DATABASE_POOL_MAX: '20',
    JWT_SECRET: randomBytes(32).toString('hex'),
    SUBJECT_KEY_SECRET: randomBytes(32).toString('hex'),
    MATCH_SERVICE_PORT: String(await freePort()),
    BARE_PORT: String(await freePort()),
    RATE_LIMIT_PER_MINUTE: '100000000',
    LOG_LEVEL: 'warn',
  }
  const server = spawn(
    process.execPath,
    [
      // BENCH_PROFILE=<folder> writes a V8 CPU profile of the server there (open it in Chrome's DevTools).
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
      '--conditions=source',
      '--import',
      'tsx',
      path.join(here, 'serve.ts'),
    ],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  serverPid = server.pid
  try {
    await waitFor(server, 'bench server ready')
    const base = `http://127.0.0.1:${env.MATCH_SERVICE_PORT}`
    const token = (claims: Record<string, unknown>) =>
      signToken(claims, env.JWT_SECRET, { expiresInSeconds: 3600 })
    const adminToken = token({ sub: 'bench-admin', roles: ['admin'] })
    const call = async (method: string, url: string, body: unknown, bearer = adminToken) => {
      const res = await fetch(`${base}${url}`, {
        method,
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`)
      return res.json() as Promise<Record<string, unknown>>
    }
    const region = JSON.parse(
      await (await import('node:fs/promises')).readFile(
        path.join(here, '../services/match-service/presets/eindhoven.json'),
        'utf8',
      ),
    )
    await call('PUT', '/v1/regions/eindhoven', region)
    const orgTokens: string[] = []
    for (let i = 1; i <= ORGS; i++) {
      const id = `bench-org-${i}`
      await call('POST', '/v1/organisations', {
        id,
        name: `Bench ${i}`,
        sector: 'youth-care',
        region: 'eindhoven',
        email: `mailbox@${id}.example`,
      })
      orgTokens.push(
        token({
          sub: `pro-${id}`,
          org: id,
          roles: ['professional'],
          name: `Pro ${i}`,
          email: `pro@${id}.example`,
          phone: '+31 6 0000 0000',
        }),
      )
    }

    say(
      `verwijsindex bench: ${CONNECTIONS} connections, ${SECONDS} s each, ${os.cpus().length} cores, Node ${process.version}`,
    )
    const results: Result[] = []
    results.push(
      await load('bare Fastify route (GET /bare)', { url: `http://127.0.0.1:${env.BARE_PORT}/bare` }),
    )

    // Fresh children mostly; one request in four on a child registered before, so matches form.
    let counter = 0
    results.push(
      await load('POST /v1/registrations', {
        url: `${base}/v1/registrations`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (req) => {
              counter++
              const child = counter % 4 === 0 ? Math.floor(Math.random() * counter) : counter
              const org = Math.floor(Math.random() * ORGS)
              return {
                ...req,
                headers: { ...req.headers, authorization: `Bearer ${orgTokens[org]}` },
                body: JSON.stringify({ bsn: generateBsn(child), birthDate: '2015-06-01', kind: 'concern' }),
              }
            },
          },
        ],
      }),
    )

    const client = new pg.Client({ connectionString: dbUrl.toString() })
    await client.connect()
    const { rows: parties } = await client.query<{ match_id: string; organisation_id: string }>(
      `select p.match_id, p.organisation_id from match.match_parties p join match.matches m on m.id = p.match_id where m.status = 'open' limit 2000`,
    )
    say(
      `(registration run made ${(await client.query('select count(*) from match.registrations')).rows[0].count} registrations and ${(await client.query('select count(*) from match.matches')).rows[0].count} matches)`,
    )
    let i = 0
    results.push(
      await load('GET /v1/matches/{id}', {
        url: base,
        requests: [
          {
            setupRequest: (req) => {
              const party = parties[i++ % parties.length]!
              const orgIndex = Number(party.organisation_id.split('-').pop()) - 1
              return {
                ...req,
                method: 'GET',
                path: `/v1/matches/${party.match_id}`,
                headers: { authorization: `Bearer ${orgTokens[orgIndex]}` },
              }
            },
          },
        ],
      }),
    )
    await client.end()
    const sqlResult = pgbench(dbUrl.toString(), path.join(here, 'registration.sql'))

    say()
    say(
      `${'what'.padEnd(40)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'non-2xx'.padStart(8)}`,
    )
    for (const r of [...results, ...(sqlResult ? [sqlResult] : [])]) {
      say(
        `${r.name.padEnd(40)} ${r.rps.toFixed(0).padStart(9)} ${r.p50.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(8)} ${String(r.errors).padStart(8)}`,
      )
    }
    const [bare, registration, read] = results as [Result, Result, Result]
    say()
    if (sqlResult)
      say(
        `registration / pgbench transaction:   ${(registration.rps / sqlResult.rps).toFixed(2)} (goal ≥ 0.7)`,
      )
    else say('pgbench not found on PATH: the SQL baseline was skipped')
    say(`registration / bare Fastify route:    ${(registration.rps / bare.rps).toFixed(3)}`)
    say(`match read / bare Fastify route:      ${(read.rps / bare.rps).toFixed(3)}`)
    say(`registration p99 at ${CONNECTIONS} connections:   ${registration.p99.toFixed(1)} ms (goal < 25 ms)`)
  } finally {
    server.kill('SIGTERM')
    await database.close()
  }
}

// BENCH=registration, BENCH=audit or BENCH=statistics runs one of them; by default all.
const which = process.env.BENCH ?? 'all'
if (which === 'all' || which === 'registration') await main()
if (which === 'all' || which === 'audit') await runAuditBench()
if (which === 'all' || which === 'statistics') await runStatisticsBench()
if (which === 'all' || which === 'notify') await runNotifyBench()
