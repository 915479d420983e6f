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

  /**
   * pg-boss records a batch's outcome once, without waiting, and gives up at the first error: a connection
   * lost at that moment left the jobs active until they expired. Here the database refuses the first two
   * tries to record each outcome, as a restarting server does.
   */
  it('records a batch as completed, or failed, once the database answers again', async () => {
    const name = 'test-work-all-settles'
    await ensureQueue(boss, name, { policy: 'standard', expireInSeconds: 60 })
    const db = boss.getDb()
    const executeSql = db.executeSql.bind(db)
    const refused = { complete: 0, fail: 0 }
    db.executeSql = async (text: string, values?: unknown[]) => {
      const kind = text.includes('SET completed_on = now()')
        ? 'complete'
        : text.includes('WITH deleted_jobs AS')
          ? 'fail'
          : undefined
      if (kind && refused[kind] < 2) {
        refused[kind]++
        throw Object.assign(new Error('terminating connection due to administrator command'), {
          code: '57P01',
        })
      }
      return executeSql(text, values as unknown[])
    }
    try {
      const id = await boss.send(name, { ok: true }, { retryLimit: 1, retryDelay: 3600 })
      const failing = await boss.send(name, { ok: false }, { retryLimit: 1, retryDelay: 3600 })
      await workAll<{ ok: boolean }>(boss, name, 1, async (jobs) => {
        if (!jobs[0]?.data.ok) throw new Error('this job cannot be handled')
      })
      const state = async (job: string | null) => (await boss.getJobById(name, job as string))?.state
      await waitFor(async () => (await state(id)) === 'completed' && (await state(failing)) === 'retry', {
        what: 'one job completed and one failed (to be retried), each despite two refusals',
        timeoutMs: 20_000,
      })
      expect(refused).toEqual({ complete: 2, fail: 2 })
      // The handler's error is kept on the failed job, to be retried in an hour.
      const failed = await boss.getJobById(name, failing as string)
      expect(failed?.output).toMatchObject({ message: 'this job cannot be handled' })
      expect(failed?.startAfter.getTime()).toBeGreaterThan(Date.now() + 1_800_000)
    } finally {
      db.executeSql = executeSql
      await boss.offWork(name)
    }
  })
})
