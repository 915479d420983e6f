import { type Kysely, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AuditEvent, recordAuditEvents } from '../src/audit.js'
import { createDb, type SharedTables } from '../src/db/index.js'
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js'

// The writer stores any action; these tests use some of their own making.
const event = (action: string): AuditEvent => ({
  service: 'test',
  action: action as AuditEvent['action'],
  occurredAt: new Date('2026-03-01T10:00:00Z'),
  actor: { id: 'u1', organisation: 'school-a', roles: ['professional'], onBehalfOf: null },
  subjectKey: 'k'.repeat(64),
  resource: { type: 'registration', id: 'r1' },
  requestId: 'req-1',
  clientIp: '127.0.0.1',
  userAgent: 'vitest',
})

describe('audit writer', () => {
  let database: TestDatabase
  let db: Kysely<SharedTables>
  beforeAll(async () => {
    database = await createTestDatabase()
    db = createDb<SharedTables>(database.url, { max: 2 })
  })
  afterAll(async () => {
    await db.destroy()
    await database.drop()
  })

  const actions = async () =>
    (await db.selectFrom('audit.events').select('action').orderBy('id').execute()).map((r) => r.action)

  it('commits the event with the action it describes', async () => {
    await db.transaction().execute((trx) => recordAuditEvents(trx, [event('registration.create')]))
    const row = await db
      .selectFrom('audit.events')
      .selectAll()
      .where('action', '=', 'registration.create')
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({
      service: 'test',
      outcome: 'success',
      actorId: 'u1',
      actorOrganisation: 'school-a',
      actorRoles: ['professional'],
      subjectKey: 'k'.repeat(64),
      resourceType: 'registration',
      resourceId: 'r1',
      requestId: 'req-1',
      clientIp: '127.0.0.1',
    })
  })

  it('leaves no event when the transaction rolls back', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await recordAuditEvents(trx, [event('registration.rolled-back')])
        throw new Error('the action failed')
      }),
    ).rejects.toThrow('the action failed')
    expect(await actions()).not.toContain('registration.rolled-back')
  })

  it('writes a denied access on its own, even when the request transaction rolls back', async () => {
    await expect(
      db.transaction().execute(async () => {
        await recordAuditEvents(db, [{ ...event('access.denied'), outcome: 'denied' }])
        throw new Error('refused')
      }),
    ).rejects.toThrow('refused')
    const denied = await db
      .selectFrom('audit.events')
      .select('outcome')
      .where('action', '=', 'access.denied')
      .execute()
    expect(denied).toEqual([{ outcome: 'denied' }])
  })

  it('refuses UPDATE, DELETE and TRUNCATE without the purge flag', async () => {
    await expect(sql`update audit.events set action = 'x'`.execute(db)).rejects.toThrow(/append-only/)
    await expect(sql`delete from audit.events`.execute(db)).rejects.toThrow(/append-only/)
    await expect(sql`truncate audit.events`.execute(db)).rejects.toThrow(/append-only/)
    expect((await actions()).length).toBe(2)
  })

  it('lets the retention purge delete with the transaction-local flag, and only inside that transaction', async () => {
    await db.transaction().execute(async (trx) => {
      await sql`set local audit.purge = 'on'`.execute(trx)
      await trx.deleteFrom('audit.events').where('action', '=', 'access.denied').execute()
      // UPDATE stays refused even for the purge.
      await expect(sql`savepoint s`.execute(trx)).resolves.toBeDefined()
      await expect(sql`update audit.events set action = 'x'`.execute(trx)).rejects.toThrow(/append-only/)
      await sql`rollback to savepoint s`.execute(trx)
    })
    expect(await actions()).toEqual(['registration.create'])
    await expect(sql`delete from audit.events`.execute(db)).rejects.toThrow(/append-only/)
  })
})
