/**
 * The audit trail at scale: 1,000,000 generated events, sealed, then over real HTTP the subject report
 * (p50/p99), a filtered query, the chain verification and a full export with the memory it takes.
 *
 *   npx tsx --conditions=source bench/audit.ts          (or from bench/run.ts: runAuditBench())
 *
 * The database: a fresh one created on the server of DATABASE_URL (dropped afterwards), else an embedded
 * PostgreSQL in a temporary folder. AUDIT_BENCH_EVENTS changes the number of events.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import v8 from 'node:v8'
import vm from 'node:vm'
import {
  type AuditDatabase,
  buildAuditService,
  createCheckpointSigner,
  sealAuditEvents,
} from '@verwijsindex/audit-service'
import { type Config, createDb, loadConfig, subjectKey, systemClock } from '@verwijsindex/shared'
import { generateBsn, signToken } from '@verwijsindex/shared/testing'
import { sql } from 'kysely'
import { benchDatabase } from './database.js'

const say = (line = '') => process.stdout.write(`${line}\n`)
const ms = (n: number) => `${n.toFixed(1)} ms`
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now()
  const result = await work()
  return [result, performance.now() - start]
}

/** Latencies of `count` requests made by `concurrency` clients; sorted, in ms. */
async function latencies(
  count: number,
  concurrency: number,
  request: (i: number) => Promise<Response>,
): Promise<{ sorted: number[]; seconds: number }> {
  const samples: number[] = []
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++
        const t = performance.now()
        const res = await request(i)
        await res.arrayBuffer()
        if (res.status !== 200) throw new Error(`request ${i} answered ${res.status}`)
        samples.push(performance.now() - t)
      }
    }),
  )
  return { sorted: samples.sort((a, b) => a - b), seconds: (performance.now() - started) / 1000 }
}

/** The figures printed, for the results file (durations in ms, sizes in bytes). */
export interface AuditFigures {
  events: number
  generateMs: number
  sealMs: number
  report: { p50: number; p99: number }
  report16Clients: { p50: number; p99: number; rps: number }
  filteredQuery: { p50: number; p99: number }
  verifyMs: number
  export: { bytes: number; ms: number; heapPeakBytes: number; rssPeakBytes: number }
}

export async function runAuditBench(): Promise<AuditFigures> {
  const total = Number(process.env.AUDIT_BENCH_EVENTS ?? 1_000_000)
  const children = Math.max(1, Math.round(total / 20))
  say(`\n== audit trail: ${total.toLocaleString('en')} events, ${children.toLocaleString('en')} children`)
  const database = await benchDatabase('verwijsindex_bench_audit')
  const url = database.url
  const jwtSecret = randomBytes(32).toString('hex')
  const signingKey = generateKeyPairSync('ed25519')
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString()
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    DATABASE_POOL_MAX: '10',
    JWT_SECRET: jwtSecret,
    SUBJECT_KEY_SECRET: randomBytes(32).toString('hex'),
    AUDIT_SIGNING_KEY: signingKey,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '100000000',
  })
  const db = createDb<AuditDatabase>(url, { max: 2 })
  let app: Awaited<ReturnType<typeof buildAuditService>> | undefined
  try {
    const keys = Array.from({ length: children }, (_, i) =>
      subjectKey(generateBsn(i), config.subjectKeySecret),
    )

    // Three in ten events touch no child (lists, organisation reads); the rest spread over the children.
    const chunk = 100_000
    const [, generateMs] = await timed(async () => {
      for (let from = 1; from <= total; from += chunk) {
        const to = Math.min(total, from + chunk - 1)
        await sql`
          insert into audit.events (occurred_at, service, action, outcome, actor_id, actor_organisation,
            actor_roles, subject_key, resource_type, resource_id, request_id, client_ip, user_agent, purpose)
          with child as (select key, ord from unnest(${keys}::text[]) with ordinality as k (key, ord))
          select timestamptz '2025-01-01T00:00:00Z' + n * interval '20 seconds', 'match-service',
            (array['registration.create','registration.read','match.read','organisation.list','coordination.accept',
                   'access.denied','registration.history'])[1 + n % 7],
            case when n % 7 = 5 then 'denied' else 'success' end,
            'pro-' || (n % 2000), 'org-' || (n % 120), '{professional}',
            case when n % 10 < 3 then null else child.key end,
            'registration', n::text, 'req-' || md5(n::text), '10.1.' || (n % 250) || '.7',
            'Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0',
            case when n % 7 = 6 then 'coordination' end
          from generate_series(${from}::int, ${to}::int) n
          join child on child.ord = 1 + (n::bigint * 7919) % ${children}`.execute(db)
      }
      await sql`analyze audit.events`.execute(db)
    })
    say(`generated            ${total.toLocaleString('en')} events in ${ms(generateMs)}`)

    const signer = createCheckpointSigner(signingKey)
    const [sealed, sealMs] = await timed(() => sealAuditEvents(db, { clock: systemClock, signer }))
    await sql`analyze audit.seals`.execute(db)
    say(
      `sealed               ${sealed?.sealed.toLocaleString('en')} events in ${ms(sealMs)} (${Math.round(((sealed?.sealed ?? 0) / sealMs) * 1000).toLocaleString('en')}/s)`,
    )
    const [, idleSealMs] = await timed(() => sealAuditEvents(db, { clock: systemClock, signer }))
    say(`sealing run, nothing new: ${ms(idleSealMs)}`)

    app = await buildAuditService({ config })
    const base = await app.listen({ port: 0, host: '127.0.0.1' })
    const token = signToken({ sub: 'bench-auditor', roles: ['auditor'] }, jwtSecret, {
      expiresInSeconds: 3600,
    })
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }

    const report = (i: number) =>
      fetch(`${base}/v1/audit/subject-report?limit=200`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ bsn: generateBsn((i * 104_729) % children) }),
      })
    await latencies(200, 4, report)
    const one = await latencies(2000, 1, report)
    say(
      `subject report       p50 ${ms(percentile(one.sorted, 50))}  p99 ${ms(percentile(one.sorted, 99))}  (2,000 children, one client)`,
    )
    const many = await latencies(4000, 16, report)
    say(
      `subject report       p50 ${ms(percentile(many.sorted, 50))}  p99 ${ms(percentile(many.sorted, 99))}  ${Math.round(4000 / many.seconds)} req/s (16 clients)`,
    )

    const query = (i: number) =>
      fetch(`${base}/v1/audit/events?organisation=org-${i % 120}&action=match.read&limit=50`, { headers })
    const filtered = await latencies(1000, 4, query)
    say(
      `events by org+action p50 ${ms(percentile(filtered.sorted, 50))}  p99 ${ms(percentile(filtered.sorted, 99))}`,
    )

    const [verification, verifyMs] = await timed(async () => {
      const res = await fetch(`${base}/v1/audit/verify`, { headers })
      if (res.status !== 200) throw new Error(`verify answered ${res.status}: ${await res.text()}`)
      return (await res.json()) as { ok: boolean; checked: number }
    })
    say(
      `verify (HTTP)        ${verification.checked.toLocaleString('en')} events, ok=${verification.ok}, in ${ms(verifyMs)}`,
    )

    // Live memory: a full collection before each sample, so garbage not yet collected does not count.
    v8.setFlagsFromString('--expose_gc')
    const gc = vm.runInNewContext('gc') as () => void
    gc()
    const before = process.memoryUsage()
    let peakHeap = before.heapUsed + before.arrayBuffers
    let peakRss = before.rss
    const sampler = setInterval(() => {
      gc()
      const m = process.memoryUsage()
      peakHeap = Math.max(peakHeap, m.heapUsed + m.arrayBuffers)
      peakRss = Math.max(peakRss, m.rss)
    }, 250)
    // Stopped however the export ends: a running interval would keep the bench process alive.
    const [exported, exportMs] = await timed(async () => {
      const res = await fetch(`${base}/v1/audit/export?format=ndjson`, { headers })
      let bytes = 0
      for await (const part of res.body as ReadableStream<Uint8Array>) bytes += part.byteLength
      return bytes
    }).finally(() => clearInterval(sampler))
    const heapPeakBytes = peakHeap - before.heapUsed - before.arrayBuffers
    say(
      `export (NDJSON)      ${mb(exported)} in ${ms(exportMs)}; live heap peak +${mb(heapPeakBytes)}, RSS peak +${mb(peakRss - before.rss)} (server and client in one process)`,
    )
    const p = (sorted: number[]) => ({ p50: percentile(sorted, 50), p99: percentile(sorted, 99) })
    return {
      events: total,
      generateMs,
      sealMs,
      report: p(one.sorted),
      report16Clients: { ...p(many.sorted), rps: 4000 / many.seconds },
      filteredQuery: p(filtered.sorted),
      verifyMs,
      export: { bytes: exported, ms: exportMs, heapPeakBytes, rssPeakBytes: peakRss - before.rss },
    }
  } finally {
    await app?.close()
    await db.destroy()
    await database.close()
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runAuditBench()
}
