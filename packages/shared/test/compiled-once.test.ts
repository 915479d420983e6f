import { type Kysely, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compiledOnce, createDb, type SharedTables } from '../src/db/index.js'
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js'

describe('compiledOnce', () => {
  let database: TestDatabase
  let db: Kysely<SharedTables>
  beforeAll(async () => {
    database = await createTestDatabase()
    db = createDb<SharedTables>(database.url, { max: 2 })
    await sql`insert into match.regions values ('eindhoven', 1, now(), now())`.execute(db)
    await db
      .insertInto('match.organisations')
      .values(
        ['org-a', 'org-b', 'org-c'].map((id, i) => ({
          id,
          name: `Organisation ${id}`,
          sector: 'police',
          regionCode: 'eindhoven',
          email: `${id}@example.org`,
          mayCoordinate: i !== 1,
          active: i !== 2,
          createdAt: new Date(),
          updatedAt: new Date(),
        })),
      )
      .execute()
  })
  afterAll(async () => {
    await db.destroy()
    await database.drop()
  })

  it('answers what the builder answers, for every set of values, with constants kept', async () => {
    const build = (d: Kysely<SharedTables>, p: { id: string; name: string }) =>
      d
        .selectFrom('match.organisations')
        .select(['id', 'mayCoordinate'])
        .where((w) => w.or([w('id', '=', p.id), w('name', '=', p.name)]))
        .where('active', '=', true)
        .orderBy('id')
    const once = compiledOnce(build)
    for (const p of [
      { id: 'org-a', name: 'nobody' },
      { id: 'org-c', name: 'Organisation org-b' },
      { id: 'none', name: 'none' },
    ]) {
      expect(await once(db, p)).toEqual(await build(db, p).execute())
    }
    expect(await once(db, { id: 'org-c', name: 'Organisation org-b' })).toEqual([
      { id: 'org-b', mayCoordinate: false },
    ])
  })

  it('refuses a statement whose shape depends on a value, or that changes a value', async () => {
    const shaped = compiledOnce((d: Kysely<SharedTables>, p: { id: string; all: boolean }) =>
      d
        .selectFrom('match.organisations')
        .select('id')
        .$if(!p.all, (q) => q.where('id', '=', p.id)),
    )
    await expect(shaped(db, { id: 'org-a', all: false })).rejects.toThrow(/all never reached the statement/)
    const changed = compiledOnce((d: Kysely<SharedTables>, p: { id: string }) =>
      d.selectFrom('match.organisations').select('id').where('name', '=', `Organisation ${p.id}`),
    )
    await expect(changed(db, { id: 'org-a' })).rejects.toThrow(/changed before it reached the statement/)
  })
})
