import { buildNotifyService } from '@verwijsindex/notify-service'
import { generateBsn } from '@verwijsindex/shared/testing'
import type { FastifyInstance } from 'fastify'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  auth,
  type MatchHarness,
  professional,
  registerChild,
  seedEindhoven,
  startMatchService,
} from '../../services/match-service/test/helpers.js'
import { TestReceiver } from '../../services/notify-service/test/receiver.js'
import { TestSmtpServer } from '../../services/notify-service/test/smtp.js'

/**
 * One mail per person per change (issue 11): match-service makes the events through its API,
 * notify-service takes them off the queue and sends them to a real SMTP server, and we count messages.
 * The seeded organisations' professionals are `pro@<org>.example`, their mailboxes `mailbox@<org>.example`.
 * Children of 9 in Eindhoven get `smw-eindhoven` (not a party) proposed as care coordinator.
 */
let h: MatchHarness
let smtp: TestSmtpServer
let notify: FastifyInstance | undefined
beforeAll(async () => {
  h = await startMatchService()
  await seedEindhoven(h)
  smtp = await TestSmtpServer.start()
})
afterAll(async () => {
  await h.close()
  await smtp.close()
})
afterEach(async () => {
  await notify?.close()
  notify = undefined
  smtp.received.length = 0
})

const pro = (org: string) => `pro@${org}.example`
const mailbox = (org: string) => `mailbox@${org}.example`

async function startNotify(env: { digestSeconds?: number } = {}) {
  notify = await buildNotifyService({
    config: {
      ...h.config,
      smtpUrl: smtp.url,
      // The test's webhook receiver listens on loopback, which development allows only when asked.
      notify: { ...h.config.notify, digestSeconds: env.digestSeconds ?? 0, allowPrivateWebhooks: true },
    },
    clock: h.clock,
  })
  return notify
}

/** Takes what match-service queued, sends what is due, and answers the messages sent, by recipient. */
async function deliver(app: FastifyInstance): Promise<Map<string, number>> {
  const before = smtp.received.length
  await app.notifier.processEvents()
  await app.notifier.deliverDue()
  const perRecipient = new Map<string, number>()
  for (const mail of smtp.received.slice(before)) {
    for (const to of mail.to) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1)
  }
  return perRecipient
}

async function register(org: string, bsn: string) {
  const res = await registerChild(h, { org, bsn, birthDate: '2017-01-15', body: { municipality: '0772' } })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { matchId: string | null }
}

describe('one mail per person per change', () => {
  it('a two-party match: each professional one mail, the designated coordinator one; webhooks per event', async () => {
    const app = await startNotify()
    const receiver = await TestReceiver.start()
    const hook = await app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: auth(h.token(professional('school-a'))),
      payload: { url: receiver.url() },
    })
    expect(hook.statusCode).toBe(201)

    const bsn = generateBsn(7001)
    await register('school-a', bsn)
    expect(await deliver(app)).toEqual(new Map())
    const { matchId } = await register('police-a', bsn)
    // One transaction made match.created and coordination.proposed: before issue 11 that was 9 mails
    // (both events to both professionals and both mailboxes, and the proposal to the coordinator's).
    const sent = await deliver(app)
    expect(sent).toEqual(
      new Map([
        [pro('school-a'), 1],
        [pro('police-a'), 1],
        [mailbox('smw-eindhoven'), 1],
      ]),
    )
    const mails = await smtp.parsed()
    const school = mails.find((m) => m.envelopeTo.includes(pro('school-a')))
    expect(school?.subject).toBe(
      `Verwijsindex: nieuwe match en 1 andere wijziging (match ${matchId?.slice(0, 8)})`,
    )
    expect(school?.text).toContain('Organisation police-a')
    expect(school?.text).toContain('Organisation smw-eindhoven')

    // Each message's Message-ID is the one its notifications share; each notification in exactly one.
    const rows = await h.db
      .selectFrom('notify.notifications' as never)
      .select(['recipient', 'messageId', 'channel', 'status'] as never[])
      .execute()
    const emails = (
      rows as { recipient: string; messageId: string; channel: string; status: string }[]
    ).filter((r) => r.channel === 'email')
    expect(emails).toHaveLength(5)
    expect(emails.every((r) => r.status === 'sent')).toBe(true)
    expect(new Set(emails.map((r) => r.messageId))).toEqual(new Set(smtp.messageIds()))
    expect(smtp.messageIds()).toHaveLength(3)

    // Webhooks stay one delivery per event: systems want events, not digests.
    await receiver.close()
    expect(receiver.requests.map((r) => JSON.parse(r.body).type).sort()).toEqual([
      'coordination.proposed',
      'match.created',
    ])
  })

  it('a four-party match: a party joining is told once and tells each other party once', async () => {
    const app = await startNotify()
    const bsn = generateBsn(7002)
    await register('school-a', bsn)
    expect(await deliver(app)).toEqual(new Map())
    await register('police-a', bsn)
    expect([...(await deliver(app)).values()]).toEqual([1, 1, 1])

    await register('school-b', bsn)
    expect(await deliver(app)).toEqual(
      new Map([
        [pro('school-a'), 1],
        [pro('police-a'), 1],
        [pro('school-b'), 1],
      ]),
    )
    await register('cjg-eindhoven', bsn)
    expect(await deliver(app)).toEqual(
      new Map([
        [pro('school-a'), 1],
        [pro('police-a'), 1],
        [pro('school-b'), 1],
        [pro('cjg-eindhoven'), 1],
      ]),
    )
    // 3 + 3 + 4 messages; no organisation mailbox of a party ever got a copy.
    expect(smtp.received).toHaveLength(10)
    const mailboxes = smtp.received.flatMap((m) => m.to).filter((to) => to.startsWith('mailbox@'))
    expect(mailboxes).toEqual([mailbox('smw-eindhoven')])
  })

  it('with NOTIFY_DIGEST_SECONDS, later changes for one address fold into the waiting mail', async () => {
    const app = await startNotify({ digestSeconds: 600 })
    const bsn = generateBsn(7003)
    await register('school-a', bsn)
    await register('police-a', bsn)
    expect(await deliver(app)).toEqual(new Map())
    h.clock.advance(60_000)
    await register('school-b', bsn)
    expect(await deliver(app)).toEqual(new Map())

    h.clock.advance(9 * 60_000)
    // The windows opened by the first change have ended: one mail per person for all it missed.
    expect(await deliver(app)).toEqual(
      new Map([
        [pro('school-a'), 1],
        [pro('police-a'), 1],
        [mailbox('smw-eindhoven'), 1],
      ]),
    )
    // The newcomer's window opened with its own first change, a minute later.
    h.clock.advance(60_000)
    expect(await deliver(app)).toEqual(new Map([[pro('school-b'), 1]]))
    const school = (await smtp.parsed()).find((m) => m.envelopeTo.includes(pro('school-a')))
    expect(school?.subject).toMatch(/^Verwijsindex: nieuwe match en 2 andere wijzigingen/)
    expect(school?.text).toContain('Organisation school-b')
    h.clock.advance(3600_000)
    expect(await deliver(app)).toEqual(new Map())
  })
})
