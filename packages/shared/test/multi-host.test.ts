import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb } from '../src/db/index.js'
import { connectionTarget } from '../src/db/multi-host.js'
import { freePort } from '../src/embedded-postgres.js'
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js'

/** A multi-host DATABASE_URL (a failover pair): the pool connects to whichever host answers as primary. */
let database: TestDatabase
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(() => database.drop())

function pairUrl(deadPort: number): string {
  const url = new URL(database.url)
  const auth = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : ''
  return `postgres://${auth}127.0.0.1:${deadPort},${url.hostname}:${url.port || 5432}${url.pathname}?target_session_attrs=read-write`
}

describe('multi-host DATABASE_URL', () => {
  it('leaves a single-host URL alone', () => {
    expect(connectionTarget(database.url)).toEqual({ url: database.url })
  })

  it('skips a host that is down and uses the primary behind it', async () => {
    const db = createDb<unknown>(pairUrl(await freePort()), { max: 2 })
    try {
      const { rows } = await sql<{ db: string; recovery: boolean }>`
        select current_database() as db, pg_is_in_recovery() as recovery`.execute(db)
      expect(rows).toEqual([{ db: database.name, recovery: false }])
    } finally {
      await db.destroy()
    }
  })

  it('fails as unavailable (connection refused) when no host answers', async () => {
    const target = connectionTarget(
      `postgres://x@127.0.0.1:${await freePort()},127.0.0.1:${await freePort()}/x`,
    )
    const db = createDb<unknown>(`${target.url.replace(/\/x$/, '')},127.0.0.1:${await freePort()}/x`, {
      max: 1,
    })
    try {
      await expect(sql`select 1`.execute(db)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
    } finally {
      await db.destroy()
    }
  })
})
