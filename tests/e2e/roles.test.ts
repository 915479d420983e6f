import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import {
  type AuditDatabase,
  buildAuditService,
  createCheckpointSigner,
  sealAuditEvents,
} from '@verwijsindex/audit-service'
import { buildMatchService } from '@verwijsindex/match-service'
import { buildNotifyService } from '@verwijsindex/notify-service'
import { createDb } from '@verwijsindex/shared'
import { generateBsn, TEST_AUDIT_SIGNING_KEY, testConfig } from '@verwijsindex/shared/testing'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  auth,
  type MatchHarness,
  professional,
  registerChild,
  seedEindhoven,
  startMatchService,
} from '../../services/match-service/test/helpers.js'

/** The services as least-privilege login roles made by `npm run db:roles` (issue 13). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SERVICES = ['match', 'notify', 'audit', 'console'] as const
const suffix = randomBytes(3).toString('hex')
const roleName = (service: string) => `vi_test_${service}_${suffix}`
const password = (service: string) => `pw-${service}-${suffix}`

let h: MatchHarness
const apps: FastifyInstance[] = []

function roleUrl(service: string): string {
  const url = new URL(h.config.databaseUrl)
  url.username = roleName(service)
  url.password = password(service)
  return url.toString()
}

function dbRoles(withPasswords: boolean): string {
  const env: Record<string, string> = { ...process.env, DATABASE_URL: h.config.databaseUrl } as Record<
    string,
    string
  >
  for (const service of SERVICES) {
    const variable = `VERWIJSINDEX_ROLE_${service.toUpperCase()}`
    env[variable] = roleName(service)
    if (withPasswords) env[`${variable}_PASSWORD`] = password(service)
  }
  return execFileSync('npm', ['run', '--silent', 'db:roles'], { cwd: ROOT, env, encoding: 'utf8' })
}

async function asRole<T>(service: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: roleUrl(service) })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: { code?: string; message?: string }) => ({ code: error.code, message: error.message }),
  )

beforeAll(async () => {
  h = await startMatchService()
  await seedEindhoven(h)
})
afterAll(async () => {
  for (const app of apps) await app.close()
  await h.close()
  const admin = new pg.Client({ connectionString: h.config.databaseUrl.replace(/\/[^/]*$/, '/postgres') })
  await admin.connect()
  for (const service of SERVICES) await admin.query(`drop role if exists ${roleName(service)}`)
  await admin.end()
})

describe('npm run db:roles', () => {
  it('creates one login role per service, without superuser, and runs again without harm', async () => {
    expect(dbRoles(true)).toContain('grants applied')
    // A second run (no passwords: existing roles keep theirs) only re-applies the grants.
    expect(dbRoles(false)).toMatch(/updated[\s\S]*grants applied/)
    const { rows } = await sql<{ rolname: string; rolsuper: boolean; rolcanlogin: boolean }>`
      select rolname, rolsuper, rolcanlogin from pg_roles where rolname like ${`vi_test_%_${suffix}`}
      order by rolname`.execute(h.db)
    expect(rows).toEqual(
      ['audit', 'console', 'match', 'notify'].map((s) => ({
        rolname: roleName(s),
        rolsuper: false,
        rolcanlogin: true,
      })),
    )
  })

  it('runs registration → match → notification → audit query with each service as its own role', async () => {
    const clock = h.clock
    const match = await buildMatchService({ config: testConfig(roleUrl('match')), clock, workers: true })
    apps.push(match)
    const asMatch = { ...h, app: match } as MatchHarness
    const bsn = generateBsn(9301)
    expect((await registerChild(asMatch, { org: 'school-a', bsn })).statusCode).toBe(201)
    const second = await registerChild(asMatch, { org: 'police-a', bsn })
    expect(second.statusCode).toBe(201)
    const matchId = second.json().matchId
    expect(matchId).toEqual(expect.any(String))
    const read = await match.inject({
      method: 'GET',
      url: `/v1/matches/${matchId}`,
      headers: auth(h.token(professional('school-a'))),
    })
    expect(read.statusCode).toBe(200)

    const notify = await buildNotifyService({
      config: { ...testConfig(roleUrl('notify')), smtpUrl: undefined },
      clock,
    })
    apps.push(notify)
    await notify.notifier.processEvents()
    const { rows: pending } = await sql<{ n: string }>`
      select count(*) as n from notify.notifications where status = 'pending'`.execute(h.db)
    expect(Number(pending[0]?.n)).toBeGreaterThan(0)

    const audit = await buildAuditService({ config: testConfig(roleUrl('audit')), clock })
    apps.push(audit)
    const auditor = h.token({ sub: 'auditor-1', roles: ['auditor'] })
    const events = await audit.inject({
      method: 'GET',
      url: '/v1/audit/events?action=registration.create',
      headers: auth(auditor),
    })
    expect(events.statusCode).toBe(200)
    expect(events.json().items.length).toBeGreaterThanOrEqual(2)
    // The sealer, as the audit role, chains and signs what the other roles wrote.
    const auditDb = createDb<AuditDatabase>(roleUrl('audit'), { max: 1 })
    try {
      const sealed = await sealAuditEvents(auditDb, {
        clock,
        signer: createCheckpointSigner(TEST_AUDIT_SIGNING_KEY),
      })
      expect(sealed?.sealed).toBeGreaterThanOrEqual(2)
    } finally {
      await auditDb.destroy()
    }
    const verify = await audit.inject({ method: 'GET', url: '/v1/audit/verify', headers: auth(auditor) })
    expect(verify.statusCode).toBe(200)
    expect(verify.json().ok).toBe(true)
  })

  it('keeps the match role out of the audit trail (no delete, no read) and out of notify', async () => {
    const denied = await asRole('match', async (client) => ({
      deleteAudit: await errorOf(client.query('delete from audit.events')),
      readAudit: await errorOf(client.query('select count(*) from audit.events')),
      readNotify: await errorOf(client.query('select count(*) from notify.notifications')),
      readWebhooks: await errorOf(client.query('select count(*) from notify.webhooks')),
      ddl: await errorOf(client.query('create table match.intruder (id int)')),
      // Not even under the purge flag the audit service's retention purge sets.
      purgeAudit: await errorOf(
        client.query(`begin; set local audit.purge = 'on'; delete from audit.events; commit`),
      ),
    }))
    for (const [what, error] of Object.entries(denied)) {
      expect({ what, code: error?.code }).toEqual({ what, code: '42501' })
      expect(error?.message).toMatch(/permission denied/)
    }
    // The notify role cannot read match's registrations either.
    const notify = await asRole('notify', (client) =>
      errorOf(client.query('select count(*) from match.registrations')),
    )
    expect(notify?.code).toBe('42501')
  })

  it('lets only the audit role delete from audit.events, and only under the purge flag', async () => {
    const { rows } = await sql<{ n: string }>`select count(*) as n from audit.events`.execute(h.db)
    const total = Number(rows[0]?.n)
    expect(total).toBeGreaterThan(0)
    await asRole('audit', async (client) => {
      const unflagged = await errorOf(client.query('delete from audit.events'))
      expect(unflagged?.message).toMatch(/append-only/)
      await client.query('begin')
      await client.query(`set local audit.purge = 'on'`)
      const purged = await client.query('delete from audit.events')
      expect(purged.rowCount).toBe(total)
      await client.query('rollback')
    })
  })
})
