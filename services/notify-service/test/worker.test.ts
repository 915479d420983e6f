import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import {
  TEST_AUDIT_SIGNING_KEY,
  TEST_JWT_SECRET,
  TEST_SUBJECT_KEY_SECRET,
  waitFor,
} from '@verwijsindex/shared/testing'
import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { CLAIM_LEASE_MS } from '../src/use-cases/deliver-due.js'
import { matchCreated } from './events.js'
import { type NotifyHarness, notificationsOf, startNotifyService } from './helpers.js'
import { TestSmtpServer } from './smtp.js'

const WORKER = fileURLToPath(new URL('./fixtures/notify-worker.ts', import.meta.url))
// `--import tsx` would resolve from the child's working directory; the loader's own path does not.
const TSX = new URL('../../../node_modules/tsx/dist/loader.mjs', import.meta.url).href

let h: NotifyHarness | undefined
let smtp: TestSmtpServer | undefined
let child: ChildProcess | undefined
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  await h?.close()
  await smtp?.close()
  h = undefined
  smtp = undefined
  child = undefined
})

/** Five matches between two organisations: 20 notifications (2 professionals and 2 mailboxes each). */
const batch = () => Array.from({ length: 5 }, () => matchCreated())

const until = (condition: () => Promise<boolean> | boolean, what: string) => waitFor(condition, { what })

const sentCount = async (harness: NotifyHarness) =>
  (await notificationsOf(harness.db)).filter((n) => n.status === 'sent').length

/** Every notification delivered, each Message-ID exactly once at the SMTP server. */
async function expectEachDeliveredOnce(harness: NotifyHarness, server: TestSmtpServer, total: number) {
  const rows = await notificationsOf(harness.db)
  expect(rows).toHaveLength(total)
  expect(rows.filter((r) => r.status !== 'sent')).toEqual([])
  const ids = server.messageIds()
  expect(ids).toHaveLength(total)
  expect(new Set(ids).size).toBe(total)
  expect(new Set(ids)).toEqual(new Set(rows.map((r) => r.messageId)))
}

describe('the worker', () => {
  it('with workers on, consumes the queue and delivers without being called', async () => {
    smtp = await TestSmtpServer.start()
    h = await startNotifyService({ env: { SMTP_URL: smtp.url }, workers: true })
    await h.send(matchCreated())
    const server = smtp
    await server.waitFor(() => server.received.length === 4)
    await until(async () => (await sentCount(h!)) === 4, 'four sent')
    await expectEachDeliveredOnce(h, smtp, 4)
    const { rows } = await sql<{ name: string }>`select name from pgboss.schedule`.execute(h.db)
    expect(rows.map((r) => r.name)).toContain('notify-purge')
  })

  it('stopped mid-batch (app.close) finishes what it started, gives the rest back, and a new one sends each once', async () => {
    smtp = await TestSmtpServer.start()
    // Three accepted, then the server holds every answer: the stop surely comes with sends under way.
    smtp.holdAfter = 3
    h = await startNotifyService({ env: { SMTP_URL: smtp.url } })
    await h.send(...batch())
    await h.app.notifier.processEvents()

    const run = h.app.notifier.deliverDue()
    const server = smtp
    await server.waitFor(() => server.received.length === 3 && server.held > 0)
    const closing = h.app.close()
    const notifier = h.app.notifier
    await until(() => notifier.stopping, 'the notifier to stop')
    // The attempts under way finish once the server answers; nothing new starts.
    server.release()
    await closing
    const summary = await run
    expect(summary.released).toBeGreaterThan(0)
    expect(summary.sent).toBe(smtp.received.length)
    const partial = await notificationsOf(h.db)
    expect(partial.filter((n) => n.status === 'sent')).toHaveLength(smtp.received.length)
    // Nothing is left claimed, and a claim given back did not count as an attempt.
    expect(partial.filter((n) => n.claimedUntil !== null)).toEqual([])
    expect(partial.filter((n) => n.status === 'pending').every((n) => n.attempts === 0)).toBe(true)
    expect(smtp.received.length).toBeLessThan(20)

    const restarted = await h.build()
    await restarted.notifier.deliverDue()
    await expectEachDeliveredOnce(h, smtp, 20)
  })

  it('killed with SIGKILL mid-batch and restarted, delivers every pending notification, each Message-ID once', async () => {
    smtp = await TestSmtpServer.start()
    // Five mails are accepted; then the server sits on every further message without answering, so the
    // worker is killed with sends under way and claims held.
    smtp.holdAfter = 5
    h = await startNotifyService({ env: { SMTP_URL: smtp.url } })
    const events = batch()
    await h.send(...events)

    let output = ''
    child = spawn(process.execPath, ['--conditions=source', '--import', TSX, WORKER], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'test',
        DATABASE_URL: h.database.url,
        DATABASE_POOL_MAX: '3',
        JWT_SECRET: TEST_JWT_SECRET,
        SUBJECT_KEY_SECRET: TEST_SUBJECT_KEY_SECRET,
        AUDIT_SIGNING_KEY: TEST_AUDIT_SIGNING_KEY,
        SMTP_URL: smtp.url,
        LOG_LEVEL: 'warn',
        TEST_CLOCK: h.clock.now().toISOString(),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout?.on('data', (d) => {
      output += d
    })
    child.stderr?.on('data', (d) => {
      output += d
    })
    const server = smtp
    const harness = h
    try {
      await until(
        async () => server.held > 0 && (await sentCount(harness)) === 5 && server.received.length === 5,
        'five sent and one held',
      )
      // Every event is recorded (its queue job completed) before the kill: the batch in flight is delivery.
      const { rows } = await sql<{ state: string }>`
        select state from pgboss.job where name = 'notifications'`.execute(harness.db)
      expect(rows.map((r) => r.state)).toEqual(Array(5).fill('completed'))
    } catch (error) {
      throw new Error(`${(error as Error).message}\nworker output:\n${output}`)
    }
    const exited = new Promise((resolve) => child?.once('exit', resolve))
    child.kill('SIGKILL')
    await exited

    const atKill = await notificationsOf(h.db)
    expect(atKill).toHaveLength(20)
    expect(atKill.filter((n) => n.status === 'sent')).toHaveLength(5)
    const claimed = atKill.filter((n) => n.claimedUntil !== null)
    expect(claimed.length).toBeGreaterThan(0)

    // The server is healthy again; the held messages were never accepted.
    smtp.holdAfter = null
    const restarted = await h.build()
    // Unclaimed pending ones go at once; those the dead worker held wait for its lease to run out.
    await restarted.notifier.deliverDue()
    expect(await sentCount(h)).toBe(20 - claimed.length)
    h.clock.advance(CLAIM_LEASE_MS + 1000)
    await restarted.notifier.deliverDue()
    await expectEachDeliveredOnce(h, smtp, 20)
  })

  it('two replicas delivering side by side send each notification once', async () => {
    smtp = await TestSmtpServer.start()
    h = await startNotifyService({ env: { SMTP_URL: smtp.url } })
    await h.send(...batch(), ...batch())
    await h.app.notifier.processEvents()
    const second = await h.build()
    // How the two share the work is the scheduler's business; that each mail goes exactly once is ours.
    const [a, b] = await Promise.all([h.app.notifier.deliverDue(), second.notifier.deliverDue()])
    expect(a.sent + b.sent).toBe(40)
    await expectEachDeliveredOnce(h, smtp, 40)
  })
})
