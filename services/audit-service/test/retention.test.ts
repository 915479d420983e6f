import { buildAuditService } from '@verwijsindex/audit-service'
import { QUEUES } from '@verwijsindex/shared'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AuditHarness, startAuditService } from './helpers.js'

let h: AuditHarness
beforeAll(async () => {
  h = await startAuditService()
})
afterAll(() => h.close())

const YEAR = 365 * 24 * 3600_000
const ago = (ms: number) => new Date(h.clock.now().getTime() - ms)
const actions = async () =>
  (await h.db.selectFrom('audit.events').select('action').orderBy('id').execute()).map((e) => e.action)
const verify = async (query = '') => {
  const res = await h.get(`/v1/audit/verify${query}`, h.auditor)
  expect(res.statusCode).toBe(200)
  return res.json()
}

describe('retention purge', () => {
  it('removes events past the retention period after a signed purge checkpoint; verify goes on from it', async () => {
    await h.write([
      { action: 'old.one', occurredAt: ago(6 * YEAR) },
      { action: 'old.two', occurredAt: ago(5.5 * YEAR) },
    ])
    await h.seal()
    // Not sealed yet when the purge starts: the purge seals first, so it is judged like the rest.
    await h.write([
      { action: 'old.three', occurredAt: ago(5.2 * YEAR) },
      { action: 'young.one', occurredAt: ago(YEAR) },
    ])

    const result = await h.purge(1826)
    expect(result.purged).toBe(3)
    expect(result.checkpoint).toMatchObject({ kind: 'purge', count: 3 })
    expect(await actions()).toEqual(['young.one', 'audit.purge'])

    const checkpoints = (await h.get('/v1/audit/checkpoints', h.auditor)).json().items
    expect(checkpoints[0]).toMatchObject({
      kind: 'purge',
      count: 3,
      retainedFrom: result.retainedFrom.toISOString(),
    })
    expect(checkpoints[0].message).toContain(`retainedFrom: ${result.retainedFrom.toISOString()}`)
    // "First writes a checkpoint": the full head before anything went.
    expect(checkpoints[1]).toMatchObject({ kind: 'seal', count: 4 })

    await h.seal()
    // young.one, audit.purge and the audit.checkpoints read above.
    expect(await verify()).toMatchObject({ ok: true, checked: 3, firstBreak: null, unsealed: 0 })
  })

  it('records the purge in the trail itself', async () => {
    const event = await h.db
      .selectFrom('audit.events')
      .selectAll()
      .where('action', '=', 'audit.purge')
      .executeTakeFirstOrThrow()
    expect(event).toMatchObject({
      service: 'audit-service',
      actorId: 'audit-service',
      resourceType: 'audit_chain',
      resourceId: '3',
      purpose: 'retention',
    })
  })

  it('the purge flag was transaction-local: ordinary deletes are refused again', async () => {
    await expect(h.db.deleteFrom('audit.events').execute()).rejects.toThrow(/append-only/)
    await expect(h.db.deleteFrom('audit.seals').execute()).rejects.toThrow(/append-only/)
  })

  it('an old event sealed after a young one waits: the chain only loses a prefix', async () => {
    h.clock.advance(YEAR)
    await h.write([
      { action: 'young.two', occurredAt: ago(YEAR) },
      { action: 'late.old', occurredAt: ago(6 * YEAR) },
    ])
    await h.seal()
    // young.one is now 2 years old, still retained: it is first in the chain, so nothing can go.
    const result = await h.purge(1826)
    expect(result).toMatchObject({ purged: 0, checkpoint: null })
    expect(await actions()).toContain('late.old')

    h.clock.advance(4.1 * YEAR)
    const later = await h.purge(1826)
    expect(later.purged).toBeGreaterThanOrEqual(3)
    expect(await actions()).not.toContain('late.old')
    expect(await actions()).not.toContain('young.one')
    await h.seal()
    expect(await verify()).toMatchObject({ ok: true, firstBreak: null })
  })

  it('a checkpoint from before the purge cannot be checked any more (422, not a false alarm)', async () => {
    const res = await h.get(`/v1/audit/verify?count=1&head=${'c'.repeat(64)}`, h.auditor)
    expect(res.statusCode).toBe(422)
    expect(res.json()).toMatchObject({ code: 'unprocessable', errors: [{ pointer: '/count' }] })
  })

  it('with nothing old enough, nothing goes and no purge checkpoint is written', async () => {
    const before = await h.db
      .selectFrom('audit.checkpoints')
      .select('id')
      .where('kind', '=', 'purge')
      .execute()
    const result = await h.purge(100_000)
    expect(result).toMatchObject({ purged: 0, checkpoint: null })
    const after = await h.db
      .selectFrom('audit.checkpoints')
      .select('id')
      .where('kind', '=', 'purge')
      .execute()
    expect(after).toHaveLength(before.length)
  })
})

describe('workers', () => {
  it('with workers on, sealing runs every minute and the purge nightly, as pg-boss schedules', async () => {
    const app = await buildAuditService({ config: h.config, clock: h.clock, workers: true })
    try {
      const { rows } = await sql<{ name: string; cron: string; timezone: string }>`
        select name, cron, timezone from pgboss.schedule order by name`.execute(h.db)
      expect(rows).toEqual([
        { name: QUEUES.auditPurge, cron: '30 3 * * *', timezone: 'Europe/Amsterdam' },
        { name: QUEUES.auditSeal, cron: '* * * * *', timezone: 'Europe/Amsterdam' },
      ])
    } finally {
      await app.close()
    }
  })
})
