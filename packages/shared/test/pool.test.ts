import { type Kysely, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type SharedTables } from '../src/db/index.js'
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js'

/**
 * The pool holds a transaction's `begin` back and writes it with the transaction's first statement: the
 * transaction must still be one transaction from that statement on, roll back as one, and leave nothing
 * open when it ends before any statement.
 */
describe('transactions on the pipelining pool', () => {
  let database: TestDatabase
  let db: Kysely<SharedTables>
  const regions = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from match.regions`.execute(db)).rows[0]?.n
  beforeAll(async () => {
    database = await createTestDatabase()
    db = createDb<SharedTables>(database.url, { max: 1, applicationName: 'pool-test' })
  })
  afterAll(async () => {
    await db.destroy()
    await database.drop()
  })

  it('runs every statement of a transaction in one transaction, from its first statement on', async () => {
    const ids = await db.transaction().execute(async (trx) => {
      const first = await sql<{ id: string }>`select pg_current_xact_id()::text as id`.execute(trx)
      const second = await sql<{ id: string }>`select pg_current_xact_id()::text as id`.execute(trx)
      return [first.rows[0]?.id, second.rows[0]?.id]
    })
    expect(ids[0]).toBeDefined()
    expect(ids[1]).toBe(ids[0])
    // Outside a transaction each statement is its own.
    const a = await sql<{ id: string }>`select pg_current_xact_id()::text as id`.execute(db)
    const b = await sql<{ id: string }>`select pg_current_xact_id()::text as id`.execute(db)
    expect(b.rows[0]?.id).not.toBe(a.rows[0]?.id)
  })

  it('rolls back the first statement with the rest when the transaction fails', async () => {
    const before = await regions()
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`insert into match.regions values ('rolled-back', 1, now(), now())`.execute(trx)
        throw new Error('the use case fails after its first write')
      }),
    ).rejects.toThrow(/first write/)
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`insert into match.regions values ('rolled-back', 1, now(), now())`.execute(trx)
        await sql`select 1 / 0`.execute(trx)
      }),
    ).rejects.toThrow(/division by zero/)
    expect(await regions()).toBe(before)
    // The connection is clean afterwards: the next transaction commits.
    await db.transaction().execute(async (trx) => {
      await sql`insert into match.regions values ('committed', 1, now(), now())`.execute(trx)
    })
    expect(await regions()).toBe((before ?? 0) + 1)
  })

  it('leaves no transaction open when one ends before its first statement', async () => {
    // The pool holds one connection: were a begin sent and left open, the statements below would share it.
    const outside = async () => {
      const a = await sql<{ id: string }>`select pg_current_xact_id()::text as id`.execute(db)
      const b = await sql<{ id: string }>`select pg_current_xact_id()::text as id`.execute(db)
      return a.rows[0]?.id !== b.rows[0]?.id
    }
    await db.transaction().execute(async () => undefined)
    expect(await outside()).toBe(true)
    await expect(
      db.transaction().execute(async () => {
        throw new Error('refused before any statement')
      }),
    ).rejects.toThrow(/refused/)
    expect(await outside()).toBe(true)
  })
})
