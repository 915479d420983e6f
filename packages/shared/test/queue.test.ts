import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createQueue, ensureQueue, type PgBoss, workAll } from '../src/queue.js'
import { createTestDatabase, type TestDatabase, waitFor } from '../src/testing/index.js'

describe('workAll: a queue that must keep up', () => {
  let database: TestDatabase
  let boss: PgBoss
  beforeAll(async () => {
    database = await createTestDatabase()
    boss = createQueue(database.url, { max: 2, supervise: false, schedule: false })
    boss.on('error', () => undefined)
    await boss.start()
  })
  afterAll(async () => {
    await boss.stop({ graceful: false, wait: true })
    await database.drop()
  })

  it('after a full batch asks pg-boss for the next at once; after a partial one, waits for the poll', async () => {
    const name = 'test-work-all'
    await ensureQueue(boss, name, { policy: 'standard', expireInSeconds: 60 })
    await boss.insert(Array.from({ length: 25 }, (_, i) => ({ name, data: { i } })))
    // pg-boss waits its polling interval after every batch unless the worker is notified.
    const notified: string[] = []
    const notifyWorker = boss.notifyWorker.bind(boss)
    boss.notifyWorker = (id: string) => {
      notified.push(id)
      notifyWorker(id)
    }
    const batches: number[] = []
    const id = await workAll<{ i: number }>(boss, name, 10, async (jobs) => {
      batches.push(jobs.length)
    })
    await waitFor(() => batches.reduce((a, b) => a + b, 0) === 25, { what: 'all 25 jobs handled' })
    expect(batches).toEqual([10, 10, 5])
    expect(notified).toEqual([id, id])
    await boss.offWork(name)
  })
})
