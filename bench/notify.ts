/**
 * `BENCH=notify npm run bench`: can mail keep up with registrations? match-service and notify-service run
 * with their workers in processes of their own, mail goes to a real (counting) SMTP server, and
 * registrations arrive open loop at BENCH_NOTIFY_RATE per second (default 100) for BENCH_NOTIFY_SECONDS
 * (60), each child registered by two or three organisations, so every second brings new matches and
 * mail. Measured from notify-service's tables and the SMTP server: mail delivered per second, the lag from
 * an event to its mail (p50/p99/max), the backlog over time and the time to drain it once the load stops.
 * Then the same load with the SMTP server down for BENCH_NOTIFY_OUTAGE seconds (60), and the drain after.
 * Raw figures: bench/results/notify.json.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '@verwijsindex/shared/embedded-postgres'
import { generateBsn, signToken } from '@verwijsindex/shared/testing'
import autocannon from 'autocannon'
import { benchDatabase } from './database.js'
import { Figures, type Sample } from './notify-figures.js'
import { type PhaseResult, peak, report } from './notify-report.js'
import { CountingSink } from './notify-sink.js'
import { processTreeCpuMs } from './process-cpu.js'

const RATE = Number(process.env.BENCH_NOTIFY_RATE ?? 100)
const SECONDS = Number(process.env.BENCH_NOTIFY_SECONDS ?? 60)
const OUTAGE = Number(process.env.BENCH_NOTIFY_OUTAGE ?? 60)
/** The longest a drain is waited for. */
const DRAIN_LIMIT = Number(process.env.BENCH_NOTIFY_DRAIN_LIMIT ?? 600)
const ORGS = 30
/** Children per block: each is registered once, then again (a match), and every other one a third time. */
const BLOCK = 100
const PER_BLOCK = BLOCK * 2 + BLOCK / 2
const here = path.dirname(fileURLToPath(import.meta.url))
const say = (line = '') => process.stdout.write(`${line}\n`)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const round = (n: number, digits = 1) => Number(n.toFixed(digits))

/** The i-th registration of the plan: which child, by which organisation (0-based). */
function planned(i: number): { child: number; org: number } {
  const block = Math.floor(i / PER_BLOCK)
  const j = i % PER_BLOCK
  const [local, round] = j < BLOCK ? [j, 0] : j < 2 * BLOCK ? [j - BLOCK, 1] : [2 * (j - 2 * BLOCK), 2]
  const child = block * BLOCK + local
  return { child, org: (child + round * 7) % ORGS }
}

async function startServer(service: 'match' | 'notify', env: NodeJS.ProcessEnv, log: string) {
  const profile = process.env.BENCH_PROFILE
  const child = spawn(
    process.execPath,
    [
      ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profile, service)}`] : []),
      '--conditions=source',
      '--import',
      'tsx',
      path.join(here, 'notify-serve.ts'),
    ],
    { env: { ...env, BENCH_SERVICE: service }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const file = createWriteStream(log, { flags: 'a' })
  child.stderr?.pipe(file)
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      file.write(d)
      if (d.toString().includes('bench server ready')) resolve()
    })
    child.once('exit', () => reject(new Error(`${service}-service exited; see ${log}`)))
  })
  return child
}

/** The figures `npm run bench` judges and keeps; bench/results/notify.json holds them all. */
export interface NotifyFigures {
  rate: number
  seconds: number
  keepsUp: boolean
  steady: { registrations: number; lagP99Seconds: number; drainSeconds: number | null }
  lost: number
  duplicates: number
  unaudited: number
}

export async function runNotifyBench(): Promise<NotifyFigures> {
  say(`\n== notify: ${RATE} registrations/s for ${SECONDS} s, then the same with ${OUTAGE} s without SMTP`)
  const database = await benchDatabase('verwijsindex_bench_notify')
  const sink = new CountingSink()
  await sink.start()
  const log = path.join(os.tmpdir(), `verwijsindex-bench-notify-${process.pid}.log`)
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: database.url,
    DATABASE_POOL_MAX: '10',
    JWT_SECRET: randomBytes(32).toString('hex'),
    SUBJECT_KEY_SECRET: randomBytes(32).toString('hex'),
    MATCH_SERVICE_PORT: String(await freePort()),
    NOTIFY_SERVICE_PORT: String(await freePort()),
    SMTP_URL: sink.url,
    RATE_LIMIT_PER_MINUTE: '100000000',
    LOG_LEVEL: 'warn',
  }
  const servers: ChildProcess[] = []
  const figures = await Figures.connect(database.url)
  try {
    servers.push(await startServer('match', env, log), await startServer('notify', env, log))
    const [match, notify] = servers as [ChildProcess, ChildProcess]
    const base = `http://127.0.0.1:${env.MATCH_SERVICE_PORT}`
    const token = (claims: Record<string, unknown>) =>
      signToken(claims, env.JWT_SECRET, { expiresInSeconds: 3600 })
    const admin = token({ sub: 'bench-admin', roles: ['admin'] })
    const call = async (method: string, url: string, body: unknown) => {
      const res = await fetch(`${base}${url}`, {
        method,
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`)
    }
    const preset = path.join(here, '../services/match-service/presets/eindhoven.json')
    await call('PUT', '/v1/regions/eindhoven', JSON.parse(await readFile(preset, 'utf8')))
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
      const claims = { sub: `pro-${id}`, org: id, roles: ['professional'], name: `Pro ${i}` }
      orgTokens.push(token({ ...claims, email: `pro@${id}.example`, phone: '+31 6 0000 0000' }))
    }

    let next = 0
    const phase = async (name: string, seconds: number, outage?: { at: number; seconds: number }) => {
      say(`-- ${name}`)
      const samples: Sample[] = []
      const started = Date.now()
      const cpu = { match: processTreeCpuMs(match.pid), notify: processTreeCpuMs(notify.pid) }
      let sampling = true
      const sampler = (async () => {
        while (sampling) {
          samples.push(await figures.sample(round((Date.now() - started) / 1000)))
          await sleep(1000)
        }
      })()
      let restartedAt: Date | undefined
      const smtpOutage = outage
        ? (async () => {
            await sleep(outage.at * 1000)
            await sink.stop()
            say(`   SMTP down at ${outage.at} s`)
            await sleep(outage.seconds * 1000)
            await sink.start()
            restartedAt = new Date()
            say(`   SMTP up again at ${outage.at + outage.seconds} s`)
          })()
        : Promise.resolve()
      const load = await autocannon({
        url: `${base}/v1/registrations`,
        method: 'POST',
        // One request per connection per second: a slow answer does not thin out the offered load.
        connections: RATE,
        overallRate: RATE,
        duration: seconds,
        requests: [
          {
            setupRequest: (req) => {
              const { child, org } = planned(next++)
              return {
                ...req,
                headers: {
                  'content-type': 'application/json',
                  authorization: `Bearer ${orgTokens[org]}`,
                },
                body: JSON.stringify({ bsn: generateBsn(child), birthDate: '2015-06-01', kind: 'concern' }),
              }
            },
          },
        ],
      })
      const ended = Date.now()
      await smtpOutage
      let drainSeconds: number | null = null
      while (Date.now() - ended < DRAIN_LIMIT * 1000) {
        if (Figures.drained(await figures.sample(0))) {
          drainSeconds = round((Date.now() - ended) / 1000)
          break
        }
        await sleep(250)
      }
      sampling = false
      await sampler
      let outageDrainSeconds: number | null | undefined
      if (restartedAt) {
        const last = await figures.lastSentOfCreatedBefore(restartedAt)
        outageDrainSeconds = last ? round(Math.max(0, last.getTime() - restartedAt.getTime()) / 1000) : null
      }
      const registrations = load.requests.total
      const result: PhaseResult = {
        name,
        offered: RATE,
        registrations,
        non2xx: load.non2xx + load.errors,
        latency: { p50: load.latency.p50, p99: load.latency.p99 },
        mailsPerSecond: round(sink.between(started, Date.now()) / ((Date.now() - started) / 1000)),
        peakMailsPerSecond: peak(sink.times, started),
        lag: await figures.lag(new Date(started), new Date(ended)),
        drainSeconds,
        ...(outage ? { outageDrainSeconds } : {}),
        cpuMsPerRegistration: {
          match: round((processTreeCpuMs(match.pid) - cpu.match) / registrations, 3),
          notify: round((processTreeCpuMs(notify.pid) - cpu.notify) / registrations, 3),
        },
        samples,
      }
      report(result, seconds, DRAIN_LIMIT)
      return result
    }

    const steady = await phase(`steady load, ${SECONDS} s`, SECONDS)
    // BENCH_NOTIFY_OUTAGE=0 leaves the outage out (e.g. while profiling).
    const outage =
      OUTAGE > 0
        ? await phase(`${OUTAGE} s SMTP outage under load`, SECONDS + OUTAGE / 2, { at: 10, seconds: OUTAGE })
        : null
    const sentIds = await figures.sentMessageIds()
    const lost = [...sentIds].filter((id) => !sink.arrivals.has(id)).length
    const unaudited = await figures.sentWithoutAudit()
    const keepsUp =
      steady.non2xx === 0 &&
      steady.registrations >= RATE * SECONDS * 0.95 &&
      steady.drainSeconds !== null &&
      steady.drainSeconds <= 5 &&
      steady.lag.p99 <= 5 &&
      steady.lag.sent === steady.lag.notifications &&
      sink.duplicates === 0
    say()
    say(`messages sent ${sentIds.size}, at the SMTP server ${sink.arrivals.size}, missing ${lost}`)
    say(`duplicates ${sink.duplicates}, sent without their notification.send audit event ${unaudited}`)
    say(`keeps up with ${RATE} registrations/s: ${keepsUp ? 'PASS' : 'FAIL'}`)
    await mkdir(path.join(here, 'results'), { recursive: true })
    const json = { rate: RATE, seconds: SECONDS, outage: OUTAGE, cores: os.cpus().length, keepsUp }
    await writeFile(
      path.join(here, 'results', 'notify.json'),
      `${JSON.stringify({ ...json, steady, outage, lost, duplicates: sink.duplicates, unaudited }, null, 2)}\n`,
    )
    return {
      rate: RATE,
      seconds: SECONDS,
      keepsUp,
      steady: {
        registrations: steady.registrations,
        lagP99Seconds: steady.lag.p99,
        drainSeconds: steady.drainSeconds,
      },
      lost,
      duplicates: sink.duplicates,
      unaudited,
    }
  } finally {
    for (const server of servers) server.kill('SIGTERM')
    await Promise.all(servers.map((s) => new Promise((resolve) => s.once('exit', resolve))))
    await figures.close()
    await sink.stop()
    await database.close()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runNotifyBench()
