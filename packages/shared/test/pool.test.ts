import net from 'node:net'
import { type Kysely, sql, type Transaction } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, pipelined, type SharedTables } from '../src/db/index.js'
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

/**
 * A TCP proxy in front of the database that holds every answer `ms` milliseconds: each round trip then
 * costs at least that, so how long a transaction takes counts its round trips.
 */
async function slowAnswers(url: string, ms: number): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(url)
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => undefined)
      socket.on('close', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.on('data', (chunk) => upstream.write(chunk))
    // Timers of one length fire in the order they were set: the answers keep their order.
    upstream.on('data', (chunk) => setTimeout(() => client.writable && client.write(chunk), ms))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const proxied = new URL(url)
  proxied.hostname = '127.0.0.1'
  proxied.port = String((server.address() as net.AddressInfo).port)
  return {
    url: proxied.toString(),
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

describe('statements written together in a transaction (pipelined)', () => {
  const HOLD = 150
  let database: TestDatabase
  let proxy: Awaited<ReturnType<typeof slowAnswers>>
  let db: Kysely<SharedTables>
  beforeAll(async () => {
    database = await createTestDatabase()
    proxy = await slowAnswers(database.url, HOLD)
    db = createDb<SharedTables>(proxy.url, { max: 1, applicationName: 'pipelined-test' })
    await sql`select 1`.execute(db)
  })
  afterAll(async () => {
    await db.destroy()
    await proxy.close()
    await database.drop()
  })
  const three = (trx: Transaction<SharedTables>) =>
    Promise.all(
      [1, 2, 3].map(
        async (n) => (await sql<{ theNumber: number }>`select ${n}::int as the_number`.execute(trx)).rows[0],
      ),
    )
  const timed = async <T>(work: (trx: Transaction<SharedTables>) => Promise<T>) => {
    const started = performance.now()
    const result = await db.transaction().execute(work)
    return { ms: performance.now() - started, result }
  }

  it('costs one round trip for statements given together, where kysely alone costs one each', async () => {
    // begin with the first statement, then the second, the third and commit: four round trips.
    const oneByOne = await timed(three)
    expect(oneByOne.ms).toBeGreaterThanOrEqual(4 * HOLD)
    // begin with all three, then commit: two round trips (a third would take it to 450 ms).
    const together = await timed((trx) => pipelined(trx, three))
    expect(together.ms).toBeLessThan(3 * HOLD)
    // The same answers, in order, through the same plugins (snake_case to camelCase).
    expect(together.result).toEqual([{ theNumber: 1 }, { theNumber: 2 }, { theNumber: 3 }])
    expect(together.result).toEqual(oneByOne.result)
  })

  it("fails the transaction with the failing statement's own error and rolls all of it back", async () => {
    const regions = async () =>
      (await sql<{ n: number }>`select count(*)::int as n from match.regions`.execute(db)).rows[0]?.n
    const before = await regions()
    await expect(
      db
        .transaction()
        .execute((trx) =>
          pipelined(trx, (trx) =>
            Promise.all([
              sql`insert into match.regions values ('pipelined', 1, now(), now())`.execute(trx),
              sql`select 1 / 0`.execute(trx),
              sql`select 1`.execute(trx),
            ]),
          ),
        ),
    ).rejects.toThrow(/division by zero/)
    expect(await regions()).toBe(before)
    // The connection is clean afterwards, and statements after the pipelined ones run in the transaction.
    await db.transaction().execute(async (trx) => {
      await pipelined(trx, (trx) =>
        Promise.all([sql`insert into match.regions values ('pipelined', 1, now(), now())`.execute(trx)]),
      )
      await sql`insert into match.regions values ('after', 1, now(), now())`.execute(trx)
    })
    expect(await regions()).toBe((before ?? 0) + 2)
  })
})
