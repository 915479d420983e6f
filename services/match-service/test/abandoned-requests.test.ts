import { generateBsn } from '@verwijsindex/shared/testing'
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
} from './helpers.js'

/**
 * Work nobody is told about does not land: when a request's deadline passes (the client hears 503) or its
 * client goes away while the database holds it up, its transaction rolls back instead of committing later.
 * The database is held up by a test transaction locking match.subjects, which a registration writes first.
 */
let h: MatchHarness
let lockHolder: pg.Client

beforeAll(async () => {
  h = await startMatchService({ env: { REQUEST_DEADLINE_MS: '1000' } })
  await seedEindhoven(h)
  lockHolder = new pg.Client({ connectionString: h.config.databaseUrl })
  await lockHolder.connect()
}, 60_000)

afterAll(async () => {
  await lockHolder?.end()
  await h?.close()
})

async function holdSubjects(): Promise<void> {
  await lockHolder.query('begin')
  await lockHolder.query('lock table match.subjects in exclusive mode')
}

/** Waits until no other session of this database is working or inside a transaction. */
async function settled(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await sql<{ busy: number }>`
      select count(*)::int as busy from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid()
        and state in ('active', 'idle in transaction')`.execute(h.db)
    if (rows[0]?.busy === 0) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('the database did not settle')
}

/** school-a's registrations and their audit events. */
async function stored(): Promise<{ registrations: number; audited: number }> {
  const { rows } = await sql<{ registrations: number; audited: number }>`
    select (select count(*)::int from match.registrations where organisation_id = 'school-a') as registrations,
           (select count(*)::int from audit.events where action = 'registration.create'
              and actor_organisation = 'school-a') as audited`.execute(h.db)
  return rows[0] as { registrations: number; audited: number }
}

describe('a request that is gone does not commit', () => {
  it('rolls back a registration answered 503 at its deadline', async () => {
    const before = await stored()
    await holdSubjects()
    const res = await registerChild(h, { org: 'school-a', bsn: generateBsn(81) })
    expect(res.statusCode).toBe(503)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.headers['retry-after']).toBeDefined()
    await lockHolder.query('commit')
    await settled()
    expect(await stored()).toEqual(before)
    // The same registration again, with the database free: it lands.
    expect((await registerChild(h, { org: 'school-a', bsn: generateBsn(81) })).statusCode).toBe(201)
    expect((await stored()).registrations).toBe(before.registrations + 1)
  }, 30_000)

  it('rolls back a registration whose client left while it waited', async () => {
    const address = await h.app.listen({ port: 0, host: '127.0.0.1' })
    const before = await stored()
    await holdSubjects()
    const controller = new AbortController()
    const request = fetch(`${address}/v1/registrations`, {
      method: 'POST',
      headers: { ...auth(h.token(professional('school-a'))), 'content-type': 'application/json' },
      body: JSON.stringify({ bsn: generateBsn(82), birthDate: '2016-05-10', kind: 'concern' }),
      signal: controller.signal,
    })
    // Wait until the registration's transaction is queued behind the lock, then leave.
    for (let i = 0; i < 100; i++) {
      const { rows } = await sql<{ waiting: number }>`
        select count(*)::int as waiting from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`.execute(h.db)
      if (rows[0]?.waiting) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    controller.abort()
    await expect(request).rejects.toThrow()
    await new Promise((resolve) => setTimeout(resolve, 100))
    await lockHolder.query('commit')
    await settled()
    expect(await stored()).toEqual(before)
  }, 30_000)

  it('commits a registration that waited for a lock while its client stayed', async () => {
    const before = await stored()
    await holdSubjects()
    const pending = registerChild(h, { org: 'school-a', bsn: generateBsn(83) })
    await new Promise((resolve) => setTimeout(resolve, 300))
    await lockHolder.query('commit')
    expect((await pending).statusCode).toBe(201)
    expect((await stored()).registrations).toBe(before.registrations + 1)
  }, 30_000)
})
