import { buildNotifyService } from '@verwijsindex/notify-service'
import { generateBsn, waitFor } from '@verwijsindex/shared/testing'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type MatchHarness,
  registerChild,
  seedEindhoven,
  startMatchService,
} from '../../services/match-service/test/helpers.js'
import { TestSmtpServer } from '../../services/notify-service/test/smtp.js'

/**
 * A burst of matches through both services' workers, as they run in production: match-service queues the
 * events, notify-service takes them in batches, sends with several SMTP connections and records outcomes
 * many to a transaction, and reports deliveries back, which match-service records in batches.
 */
let h: MatchHarness
let smtp: TestSmtpServer
let notify: FastifyInstance
beforeAll(async () => {
  h = await startMatchService()
  await seedEindhoven(h)
  smtp = await TestSmtpServer.start()
  await h.another({ workers: true })
  notify = await buildNotifyService({
    config: { ...h.config, smtpUrl: smtp.url, notify: { ...h.config.notify, sendConcurrency: 4 } },
    clock: h.clock,
    workers: true,
  })
})
afterAll(async () => {
  await notify.close()
  await h.close()
  await smtp.close()
})

const CHILDREN = 30

describe('a burst of matches with the workers on', () => {
  it('sends every mail once, each with its audit event, and every party learns it was notified', async () => {
    // Each child by two organisations, every third by a third one as well: matches made and joined.
    await Promise.all(
      Array.from({ length: CHILDREN }, async (_, i) => {
        const bsn = generateBsn(8100 + i)
        for (const org of i % 3 === 0 ? ['school-a', 'police-a', 'school-b'] : ['school-a', 'police-a']) {
          const res = await registerChild(h, { org, bsn, birthDate: '2017-01-15' })
          expect(res.statusCode, res.body).toBe(201)
        }
      }),
    )
    type Row = { messageId: string; status: string; id: string }
    const emails = async () =>
      (
        await sql<Row>`select id, message_id as "messageId", status from notify.notifications
          where channel = 'email'`.execute(h.db)
      ).rows
    const unnotified = async () =>
      Number(
        (
          await sql<{ n: string }>`select count(*) as n from match.match_parties p
            join match.matches m on m.id = p.match_id where p.notified_at is null`.execute(h.db)
        ).rows[0]?.n,
      )
    await waitFor(
      async () => {
        const rows = await emails()
        return rows.length > 0 && rows.every((r) => r.status === 'sent') && (await unnotified()) === 0
      },
      { what: 'every mail sent and every party notified', timeoutMs: 60_000 },
    )

    const rows = await emails()
    // 30 matches (2 professionals and the coordinator's mailbox each) and 10 joins (3 professionals each).
    expect(new Set(rows.map((r) => r.messageId)).size).toBe(CHILDREN * 3 + (CHILDREN / 3) * 3)
    expect(smtp.messageIds().toSorted()).toEqual([...new Set(rows.map((r) => r.messageId))].toSorted())
    const audited = (
      await sql<{ resourceId: string }>`select resource_id as "resourceId" from audit.events
        where action = 'notification.send' and outcome = 'success'`.execute(h.db)
    ).rows.map((r) => r.resourceId)
    expect(audited.toSorted()).toEqual(rows.map((r) => r.id).toSorted())
  })
})
