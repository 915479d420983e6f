import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { claimDue } from '../src/db/notifications.js'
import type { Attempt } from '../src/use-cases/attempt-delivery.js'
import { OutcomeRecorder } from '../src/use-cases/record-outcomes.js'
import { matchCreated } from './events.js'
import { auditActions, type NotifyHarness, notificationsOf, startNotifyService } from './helpers.js'

let h: NotifyHarness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

describe('recording outcomes many to a transaction', () => {
  it('records outcomes finishing together in one group, and one that cannot be recorded keeps no other from it', async () => {
    h = await startNotifyService()
    await h.send(matchCreated(), matchCreated())
    await h.app.notifier.processEvents()
    const now = h.clock.now()
    const token = randomUUID()
    const claimed = await claimDue(h.db, {
      now,
      leaseUntil: new Date(now.getTime() + 60_000),
      token,
      limit: 10,
      channels: ['email'],
    })
    expect(claimed).toHaveLength(4)
    const [first, second, third, fourth] = claimed.map((n) => n.id)
    // One outcome the database refuses for a reason other than being away (a bug, a constraint).
    await sql
      .raw(`create function notify.refuse_one() returns trigger language plpgsql as $$
        begin raise exception 'refused for the test'; end $$;
        create trigger refuse_one before update on notify.notifications for each row
        when (old.id = '${third}') execute function notify.refuse_one();`)
      .execute(h.db)

    const recorder = new OutcomeRecorder(
      { db: h.db, config: h.config, clock: h.clock, log: h.app.log, mail: null },
      token,
      () => h!.clock.now(),
    )
    const attempt = (n: (typeof claimed)[number]): Attempt => ({
      message: [n],
      outcome: { kind: 'sent' },
      eventTypes: new Map([[n.id, 'match.created']]),
      matchIds: new Map(),
    })
    // The first outcome is recorded at once; the three arriving while it commits go together, and when
    // that group fails, one by one.
    const results = await Promise.allSettled(claimed.map((n) => recorder.record(attempt(n))))
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled'])

    const rows = new Map((await notificationsOf(h.db)).map((r) => [r.id, r]))
    for (const id of [first, second, fourth]) {
      expect(rows.get(id as string)).toMatchObject({ status: 'sent', claimToken: null, attempts: 1 })
    }
    // The refused one keeps its claim: when the lease runs out it is tried again (the at-least-once path).
    expect(rows.get(third as string)).toMatchObject({ status: 'pending', claimToken: token })
    const audited = await auditActions(h.db, 'notification.send')
    expect(audited.map((a) => a.resourceId).toSorted()).toEqual([first, second, fourth].toSorted())
    expect(audited.every((a) => a.outcome === 'success')).toBe(true)
  })
})
