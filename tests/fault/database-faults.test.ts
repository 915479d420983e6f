import { waitFor } from '@verwijsindex/shared/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditorToken, FaultyDatabase, prepareDatabase, RegistrationLoad, Services } from './harness.js'

/**
 * The services (`npm start` in a child process) under registration load while their own PostgreSQL
 * server is terminated, restarted, stalled and exhausted. After each fault: the process is still
 * running and becomes ready again by itself. At the end: every acknowledged registration is stored, no
 * request was answered 500, every mail went out once with its audit event, the queues and the sealer
 * caught up, and the audit chain verifies. The seconds printed are measurements, not assertions.
 */

const DATABASE = 'faults'
const SERVICES = ['match-service', 'notify-service', 'audit-service']
const ORGANISATIONS = ['zuidzorg', 'ggd-jgz-4-19', 'basisschool-regenboog', 'politie-zob']
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const figures: Record<string, number | string> = {}

let db: FaultyDatabase
let services: Services
let load: RegistrationLoad

beforeAll(async () => {
  db = await FaultyDatabase.create({ max_connections: '40' })
  const url = await prepareDatabase(db, DATABASE)
  services = await Services.start(url, {
    DATABASE_POOL_MAX: '4',
    DATABASE_ACQUIRE_TIMEOUT_MS: '2000',
    DATABASE_STATEMENT_TIMEOUT_MS: '5000',
    DATABASE_READY_TIMEOUT_MS: '1000',
    REQUEST_DEADLINE_MS: '6000',
  })
  load = new RegistrationLoad(services.base(0), ORGANISATIONS, 10, 1000)
  load.start()
  await sleep(2000)
}, 180_000)

afterAll(async () => {
  await load?.stop()
  await services?.stop()
  await db?.destroy()
  process.stdout.write(`fault suite figures: ${JSON.stringify(figures)}\n`)
})

/** /health/ready of match-service while the database is away: a 503 problem, promptly. */
async function readinessWhileAway(): Promise<number> {
  const res = await fetch(`${services.base(0)}/health/ready`, { signal: AbortSignal.timeout(10_000) })
  if (res.status === 503) expect(res.headers.get('content-type')).toContain('application/problem+json')
  return res.status
}

async function recovered(name: string): Promise<void> {
  figures[`${name}: seconds until ready`] = await services.waitUntilReady()
  expect(services.exited).toBe(false)
}

describe('a lost database never ends the process', () => {
  it('rides out pg_terminate_backend of service backends inside a transaction', async () => {
    const admin = new pg.Client({ connectionString: db.adminUrl })
    await admin.connect()
    let terminated = 0
    const until = Date.now() + 20_000
    try {
      while (terminated < 5 && Date.now() < until) {
        const { rows } = await admin.query<{ ok: boolean }>(
          `select pg_terminate_backend(pid) as ok from pg_stat_activity
           where datname = $1 and state = 'idle in transaction' and application_name = any($2)`,
          [DATABASE, SERVICES],
        )
        terminated += rows.filter((r) => r.ok).length
      }
    } finally {
      await admin.end()
    }
    figures['backends terminated inside a transaction'] = terminated
    expect(terminated).toBeGreaterThan(0)
    await recovered('terminate')
  }, 60_000)

  for (const mode of ['fast', 'immediate'] as const) {
    it(`rides out a restart -m ${mode} under load`, async () => {
      await db.server.stop(mode)
      await sleep(500)
      expect(await readinessWhileAway()).toBe(503)
      await sleep(2500)
      await db.start()
      await recovered(`restart -m ${mode}`)
    }, 90_000)
  }

  it('answers 503 (not hang) while the database is stalled, and resumes after', async () => {
    db.signal('SIGSTOP')
    try {
      await sleep(1000)
      expect(await readinessWhileAway()).toBe(503)
      await sleep(6000)
    } finally {
      db.signal('SIGCONT')
    }
    await recovered('stall 7 s')
  }, 90_000)

  it('rides out max_connections exhaustion', async () => {
    const held: pg.Client[] = []
    const admin = new pg.Client({ connectionString: db.adminUrl })
    admin.on('error', () => undefined)
    await admin.connect()
    held.push(admin)
    // The services' connections go, and the test takes every slot before they can come back.
    await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [DATABASE],
    )
    for (let i = 0; i < 60; i++) {
      const client = new pg.Client({ connectionString: db.adminUrl })
      client.on('error', () => undefined)
      try {
        await client.connect()
        held.push(client)
      } catch (error) {
        expect((error as { code?: string }).code).toBe('53300')
        break
      }
    }
    figures['connections held by the test'] = held.length
    try {
      // Connections a pool kept (or won back before the test took the slots) still serve: readiness may
      // answer either way here; what matters is that nothing exits and the refused ones get 503.
      await sleep(1000)
      figures['readiness while exhausted'] = await readinessWhileAway()
      await sleep(4000)
    } finally {
      await Promise.all(held.map((c) => c.end().catch(() => undefined)))
    }
    await recovered('max_connections exhaustion')
  }, 90_000)
})

describe('after the faults', () => {
  it('lost nothing acknowledged, answered no 500, mailed each notification once, and the chain verifies', async () => {
    await sleep(2000)
    const counts = await load.stop()
    const status = Object.fromEntries(counts.byStatus)
    Object.assign(figures, {
      'registrations sent': counts.sent,
      'registrations acknowledged (201)': counts.acknowledged.length,
      'answered 503': status[503] ?? 0,
      'answered 500': status[500] ?? 0,
      'network errors': counts.networkErrors,
      statuses: JSON.stringify(status),
    })
    expect(load.problems).toEqual([])
    expect(Object.keys(status).filter((s) => Number(s) >= 500 && Number(s) !== 503)).toEqual([])
    expect(counts.acknowledged.length).toBeGreaterThan(50)

    const stored = await db.query<{ n: number }>(
      DATABASE,
      'select count(*)::int as n from match.registrations where id = any($1::uuid[])',
      [counts.acknowledged],
    )
    const lost = counts.acknowledged.length - (stored[0]?.n ?? 0)
    figures['acknowledged registrations lost'] = lost
    expect(lost).toBe(0)

    // The queue and the delivery loop catch up without waiting out a lease.
    const drainStart = Date.now()
    let left: object | undefined
    await waitFor(
      async () => {
        const [row] = await db.query<{ jobs: number; due: number }>(
          DATABASE,
          `select (select count(*) from pgboss.job where name = 'notifications' and state in ('created', 'retry', 'active'))::int as jobs,
                  (select count(*) from notify.notifications
                   where status = 'pending' or claimed_until > now()
                      or (status = 'failed' and next_attempt_at <= now()))::int as due`,
        )
        left = row
        return row?.jobs === 0 && row.due === 0
      },
      {
        what: 'events and notifications to drain',
        timeoutMs: 240_000,
        intervalMs: 500,
        detail: () => `still waiting: ${JSON.stringify(left)}\n${services.output.slice(-3000)}`,
      },
    ).catch(async (error) => {
      const states = await db.query(
        DATABASE,
        `select name, state, count(*)::int, max(retry_count) as retries, min(start_after) as next
           from pgboss.job where state in ('created', 'retry', 'active') group by 1, 2`,
      )
      const mail = await db.query(
        DATABASE,
        `select status, count(*)::int, min(next_attempt_at) as next, max(claimed_until) as claimed
           from notify.notifications group by 1`,
      )
      throw new Error(
        `${error.message}\njobs: ${JSON.stringify(states)}\nnotifications: ${JSON.stringify(mail)}`,
      )
    })
    figures['seconds to drain queue and mail'] = (Date.now() - drainStart) / 1000
    // An attempt that failed while the database was away (nothing sent) waits for its retry, by design.
    const [waiting] = await db.query<{ n: number }>(
      DATABASE,
      "select count(*)::int as n from notify.notifications where status = 'failed'",
    )
    figures['notifications waiting for their retry'] = waiting?.n ?? 0

    const [sent] = await db.query<{ emails: number; unaudited: number }>(
      DATABASE,
      // One message may carry several notifications (one mail per person per change): count messages.
      `select count(distinct n.message_id)::int as emails,
              count(*) filter (where not exists (
                select 1 from audit.events e
                where e.action = 'notification.send' and e.outcome = 'success' and e.resource_id = n.id::text))::int as unaudited
       from notify.notifications n where n.channel = 'email' and n.status = 'sent'`,
    )
    const mails = await services.mailsByMessageId()
    const duplicates = [...mails.values()].reduce((sum, n) => sum + n - 1, 0)
    Object.assign(figures, {
      'emails sent': sent?.emails ?? 0,
      'mails received': [...mails.values()].reduce((a, b) => a + b, 0),
      'duplicate mails': duplicates,
      'sent mails without notification.send audit': sent?.unaudited ?? 0,
    })
    expect(sent?.emails).toBeGreaterThan(0)
    expect(duplicates).toBe(0)
    expect(sent?.unaudited).toBe(0)
    expect(mails.size).toBe(sent?.emails)

    // The sealer's next scheduled run seals everything committed so far; then the chain verifies.
    const sealStart = Date.now()
    const [{ upTo } = { upTo: 0 }] = await db.query<{ upTo: number }>(
      DATABASE,
      'select coalesce(max(id), 0)::int as "upTo" from audit.events',
    )
    await waitFor(
      async () => {
        const [row] = await db.query<{ n: number }>(
          DATABASE,
          `select count(*)::int as n from audit.events e
           where e.id <= $1 and not exists (select 1 from audit.seals s where s.event_id = e.id)`,
          [upTo],
        )
        return row?.n === 0
      },
      { what: 'the sealer to seal every event', timeoutMs: 240_000, intervalMs: 1000 },
    )
    figures['seconds until every event was sealed'] = (Date.now() - sealStart) / 1000
    const verify = await fetch(`${services.base(2)}/v1/audit/verify`, {
      headers: { authorization: `Bearer ${auditorToken()}` },
    })
    const verification = (await verify.json()) as { ok: boolean; checked: number }
    expect(verify.status).toBe(200)
    expect(verification.ok).toBe(true)
    figures['audit events verified'] = verification.checked

    // Schedule queues are not singletons any more: no pg-boss unique-index errors in the server log.
    const duplicateKeyErrors = db.log
      .join('')
      .match(/duplicate key value violates unique constraint "job_i\d"/g)
    figures['pg-boss duplicate-key errors in the PostgreSQL log'] = duplicateKeyErrors?.length ?? 0
    expect(duplicateKeyErrors).toBeNull()
    expect(services.exited).toBe(false)
  }, 540_000)
})
