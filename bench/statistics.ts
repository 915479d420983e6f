/**
 * Region statistics at scale (issue 14): 1,000,000 registrations and 200,000 matches loaded with COPY,
 * then over real HTTP a year of monthly figures for the region: the first read (which stores the closed
 * months, as the monthly job would) and then repeated reads (stored months, the running month live).
 *
 *   BENCH=statistics npm run bench      (STATISTICS_BENCH_REGISTRATIONS changes the size)
 */
import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { buildMatchService } from '@verwijsindex/match-service'
import { loadConfig, ManualClock } from '@verwijsindex/shared'
import { signToken } from '@verwijsindex/shared/testing'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { benchDatabase } from './database.js'

const say = (line = '') => process.stdout.write(`${line}\n`)
const DAY = 86_400_000
const START = Date.parse('2025-04-01T00:00:00Z')
const NOW = new Date('2026-03-20T12:00:00Z')
const SECTORS = [
  'school-po',
  'school-vo',
  'police',
  'gp',
  'jgz-0-4',
  'jgz-4-19',
  'youth-care',
  'amw',
  'cjg',
  'bjz',
]
const MUNICIPALITIES = ['0772', '0753', '0770', '0848']

async function copy(client: pg.Client, table: string, rows: () => Generator<string>): Promise<void> {
  await pipeline(Readable.from(rows()), client.query(copyFrom(`copy ${table} from stdin`)))
}

const ts = (ms: number) => new Date(ms).toISOString()

export async function runStatisticsBench(): Promise<void> {
  const registrations = Number(process.env.STATISTICS_BENCH_REGISTRATIONS ?? 1_000_000)
  const subjects = registrations / 2
  const matches = Math.round(registrations / 5)
  say(
    `\n== region statistics: ${registrations.toLocaleString('en')} registrations, ${matches.toLocaleString('en')} matches`,
  )
  const database = await benchDatabase('verwijsindex_bench_statistics')
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  let app: Awaited<ReturnType<typeof buildMatchService>> | undefined
  try {
    const document = {
      name: 'Bench',
      municipalities: MUNICIPALITIES,
      registration: { defaultDurationDays: 365, maxDurationDays: 730 },
      holidays: [],
      coordination: {
        rules: [],
        designated: {},
        fallback: 'first-registrant',
        acceptWithin: { workingDays: 5 },
        escalation: [{ level: 1, after: { workingDays: 5 }, notify: ['org-cjg'] }],
      },
      followUp: {
        remindAfter: { workingDays: 3 },
        contactWithin: { workingDays: 5 },
        warmHandoverWithin: { workingDays: 20 },
      },
    }
    const started = performance.now()
    await client.query(`insert into match.regions values ('bench', 1, now(), now())`)
    await client.query(`insert into match.region_versions values ('bench', 1, $1, now(), 'bench')`, [
      JSON.stringify(document),
    ])
    for (const m of MUNICIPALITIES)
      await client.query(`insert into match.region_municipalities values ($1, 'bench')`, [m])
    const orgs = Array.from({ length: 40 }, (_, i) => `org-${i}`)
    for (const [i, id] of orgs.entries())
      await client.query(
        `insert into match.organisations values ($1, $1, $2, 'bench', $1 || '@bench.example', true, true, now(), now())`,
        [id, SECTORS[i % SECTORS.length]],
      )
    await client.query(
      `insert into match.organisations values ('org-cjg', 'CJG', 'cjg', 'bench', 'cjg@bench.example', true, true, now(), now())`,
    )
    const key = (s: number) => `k${s.toString(36).padStart(8, '0')}`
    await copy(client, 'match.subjects (subject_key, birth_date, created_at)', function* () {
      for (let s = 0; s < subjects; s++) {
        const born = Date.parse('2004-01-01') + ((s * 7919) % (22 * 365)) * DAY
        yield `${key(s)}\t${new Date(born).toISOString().slice(0, 10)}\t${ts(START)}\n`
      }
    })
    // Two registrations per child, a day apart, spread over a year; a third of them ended.
    const regId = (r: number) => `00000000-0000-4000-8000-${r.toString(16).padStart(12, '0')}`
    const createdAt = (r: number) => START + Math.floor(r / 2) * ((350 * DAY) / subjects) + (r % 2) * DAY
    await copy(
      client,
      'match.registrations (id, subject_key, organisation_id, kind, status, created_at, ends_at, ended_at, end_reason, contact_name, contact_email, contact_phone, municipality, created_by)',
      function* () {
        for (let r = 0; r < registrations; r++) {
          const at = createdAt(r)
          const ended = r % 3 === 0
          yield [
            regId(r),
            key(Math.floor(r / 2)),
            orgs[(r * 13 + (r % 2)) % orgs.length],
            r % 4 === 0 ? 'involvement' : 'concern',
            ended ? 'ended' : 'active',
            ts(at),
            ts(at + 365 * DAY),
            ended ? ts(at + 40 * DAY) : '\\N',
            ended ? ['resolved', 'transferred', 'expired', 'unjustified'][r % 4] : '\\N',
            'Professional',
            'pro@bench.example',
            '0401234567',
            MUNICIPALITIES[r % MUNICIPALITIES.length],
            'bench',
          ].join('\t') + '\n'
        }
      },
    )
    // The first `matches` children have a match between their two registrations.
    const matchId = (m: number) => `00000000-0000-4000-9000-${m.toString(16).padStart(12, '0')}`
    const child = (m: number) => Math.floor((m * subjects) / matches)
    const matchAt = (m: number) => createdAt(2 * child(m) + 1)
    await copy(
      client,
      'match.matches (id, subject_key, status, region_code, created_at, closed_at)',
      function* () {
        for (let m = 0; m < matches; m++) {
          const closed = m % 3 === 0
          yield `${matchId(m)}\t${key(child(m))}\t${closed ? 'closed' : 'open'}\tbench\t${ts(matchAt(m))}\t${closed ? ts(matchAt(m) + 40 * DAY) : '\\N'}\n`
        }
      },
    )
    await copy(
      client,
      'match.match_parties (match_id, registration_id, organisation_id, subject_key, joined_at)',
      function* () {
        for (let m = 0; m < matches; m++)
          for (const r of [2 * child(m), 2 * child(m) + 1])
            yield `${matchId(m)}\t${regId(r)}\t${orgs[(r * 13 + (r % 2)) % orgs.length]}\t${key(child(m))}\t${ts(matchAt(m))}\n`
      },
    )
    await copy(
      client,
      'match.match_contacts (match_id, organisation_id, subject_key, at, first_at)',
      function* () {
        for (let m = 0; m < matches; m++) {
          if (m % 5 === 4) continue
          const r = 2 * child(m)
          const at = ts(matchAt(m) + ((m % 7) + 1) * DAY)
          yield `${matchId(m)}\t${orgs[(r * 13) % orgs.length]}\t${key(child(m))}\t${at}\t${at}\n`
        }
      },
    )
    await copy(
      client,
      'match.coordinations (match_id, subject_key, organisation_id, status, region_code, region_version, proposed_at, accepted_at, updated_at)',
      function* () {
        for (let m = 0; m < matches; m++) {
          const accepted = m % 2 === 0
          const at = matchAt(m)
          yield `${matchId(m)}\t${key(child(m))}\torg-cjg\t${accepted ? 'accepted' : 'proposed'}\tbench\t1\t${ts(at)}\t${accepted ? ts(at + 3 * DAY) : '\\N'}\t${ts(at)}\n`
        }
      },
    )
    await copy(
      client,
      'match.coordination_history (match_id, subject_key, at, event, organisation_id)',
      function* () {
        for (let m = 0; m < matches; m++) {
          yield `${matchId(m)}\t${key(child(m))}\t${ts(matchAt(m))}\tproposed\torg-cjg\n`
          if (m % 2 === 0)
            yield `${matchId(m)}\t${key(child(m))}\t${ts(matchAt(m) + 3 * DAY)}\taccepted\torg-cjg\n`
        }
      },
    )
    await client.query('analyze')
    say(`loaded with COPY in   ${((performance.now() - started) / 1000).toFixed(1)} s`)

    const jwtSecret = randomBytes(32).toString('hex')
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      JWT_SECRET: jwtSecret,
      SUBJECT_KEY_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PER_MINUTE: '100000000',
    })
    const clock = new ManualClock(NOW.toISOString())
    app = await buildMatchService({ config, clock, workers: false })
    const base = await app.listen({ port: 0, host: '127.0.0.1' })
    const token = signToken({ sub: 'beleid', roles: ['policy_officer'], region: 'bench' }, jwtSecret, {
      now: NOW,
    })
    const read = async () => {
      const t = performance.now()
      const res = await fetch(`${base}/v1/regions/bench/statistics?from=2025-04&to=2026-03`, {
        headers: { authorization: `Bearer ${token}` },
      })
      const body = (await res.json()) as { months: unknown[] }
      if (res.status !== 200 || body.months.length !== 12)
        throw new Error(`statistics answered ${res.status}`)
      return performance.now() - t
    }
    say(`first read (stores 11 closed months): ${(await read()).toFixed(0)} ms`)
    const samples: number[] = []
    for (let i = 0; i < 20; i++) samples.push(await read())
    samples.sort((a, b) => a - b)
    say(
      `a year of months, stored + running month live: p50 ${samples[10]?.toFixed(0)} ms, max ${samples[19]?.toFixed(0)} ms (goal < 1000 ms)`,
    )
  } finally {
    await app?.close()
    await client.end()
    await database.close()
  }
}
