import { createHmac, createSign, generateKeyPairSync } from 'node:crypto'
import { ManualClock, type TokenClaims } from '@verwijsindex/shared'
import { TEST_SUBJECT_KEY_SECRET } from '@verwijsindex/shared/testing'
import { sql } from 'kysely'
import { Webhook, WebhookVerificationError } from 'standardwebhooks'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { postWebhook } from '../src/delivery/webhook.js'
import type { WebhookPayload } from '../src/domain/payload.js'
import { forbiddenIn, matchCreated, nurse, ORGS, teacher } from './events.js'
import {
  auditActions,
  type NotifyHarness,
  notificationsOf,
  professional,
  startNotifyService,
} from './helpers.js'
import { TestReceiver } from './receiver.js'

// Real time: a receiver checks webhook-timestamp against its own clock (Standard Webhooks: 5 minutes).
let h: NotifyHarness
let receiver: TestReceiver
beforeAll(async () => {
  h = await startNotifyService({
    clock: new ManualClock(new Date()),
    // The receiver listens on 127.0.0.1: a local receiver needs the development switch.
    env: { NOTIFY_WEBHOOK_TIMEOUT_SECONDS: '1', NOTIFY_ALLOW_PRIVATE_WEBHOOKS: 'true' },
  })
  receiver = await TestReceiver.start()
})
afterAll(async () => {
  await h.close()
  await receiver.close()
})
afterEach(async () => {
  // Each test starts from no webhooks and no pending deliveries.
  await h.db.deleteFrom('notify.notifications').execute()
  await h.db.deleteFrom('notify.events').execute()
  await h.db.deleteFrom('notify.webhooks').execute()
  receiver.requests.length = 0
  receiver.respond = () => 204
})

const school = () => h.token(professional(ORGS.regenboog.id))
const call = (method: 'GET' | 'POST' | 'DELETE', url: string, token: string, payload?: object) =>
  h.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  })

async function register(url = receiver.url(), token = school()) {
  const res = await call('POST', '/v1/webhooks', token, { url })
  expect(res.statusCode).toBe(201)
  return res.json() as { id: string; url: string; secret: string }
}

/** A match between the school (which has a webhook) and youth health care, ingested. */
async function matchWithWebhook() {
  const hook = await register()
  const event = matchCreated({ parties: [teacher(), nurse()] })
  await h.send(event)
  // Two professionals' mails and the school's webhook (no mailbox copies since issue 11).
  expect(await h.app.notifier.processEvents()).toMatchObject({ notifications: 3 })
  return { hook, event }
}

describe('webhook registration', () => {
  it('POST answers the secret once; GET lists the own organisation’s without it; DELETE removes', async () => {
    const created = await register()
    expect(created).toMatchObject({ url: receiver.url(), organisation: ORGS.regenboog.id })
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)

    const listed = await call('GET', '/v1/webhooks', school())
    expect(listed.statusCode).toBe(200)
    expect(listed.json().items).toEqual([
      { id: created.id, url: created.url, organisation: ORGS.regenboog.id, createdAt: expect.any(String) },
    ])
    expect(listed.body).not.toContain(created.secret.slice(6))

    const police = h.token(professional(ORGS.police.id))
    expect((await call('GET', '/v1/webhooks', police)).json().items).toEqual([])
    const foreign = await call('DELETE', `/v1/webhooks/${created.id}`, police)
    expect(foreign.statusCode).toBe(404)
    const denied = await auditActions(h.db, 'access.denied')
    expect(denied.at(-1)).toMatchObject({
      actorOrganisation: ORGS.police.id,
      resourceType: 'webhook',
      resourceId: created.id,
    })

    expect((await call('DELETE', `/v1/webhooks/${created.id}`, school())).statusCode).toBe(204)
    expect((await call('GET', '/v1/webhooks', school())).json().items).toEqual([])
    expect((await call('DELETE', `/v1/webhooks/${created.id}`, school())).statusCode).toBe(404)
    const stored = await h.db.selectFrom('notify.webhooks').selectAll().executeTakeFirstOrThrow()
    expect(stored.secret).toBeNull()

    for (const action of ['webhook.create', 'webhook.list', 'webhook.delete']) {
      expect((await auditActions(h.db, action)).length, action).toBeGreaterThan(0)
    }
  })

  it('refuses bad bodies with 400, rules with 422, and operator tokens with 403', async () => {
    const bad = async (payload: object, status: number, pointer: string) => {
      const res = await call('POST', '/v1/webhooks', school(), payload)
      expect(res.statusCode, JSON.stringify(payload)).toBe(status)
      expect(res.json().errors?.map((e: { pointer: string }) => e.pointer)).toContain(pointer)
    }
    await bad({ url: 'not a url' }, 400, '/url')
    await bad({ url: 'ftp://school.example/hook' }, 400, '/url')
    await bad({ url: receiver.url(), events: ['match.created'] }, 400, '/events')
    await bad({ url: 'https://user:secret@school.example/hook' }, 422, '/url')
    expect((await call('POST', '/v1/webhooks', h.admin, { url: receiver.url() })).statusCode).toBe(403)
    expect(await h.db.selectFrom('notify.webhooks').selectAll().execute()).toEqual([])
  })

  it('holds an organisation to ten webhooks', async () => {
    for (let i = 0; i < 10; i++) await register(receiver.url(`/hook/${i}`))
    const res = await call('POST', '/v1/webhooks', school(), { url: receiver.url('/hook/10') })
    expect(res.statusCode).toBe(422)
  })
})

describe('webhook delivery', () => {
  it('is signed per Standard Webhooks: verifies with the secret, fails with another or a changed body', async () => {
    const { hook, event } = await matchWithWebhook()
    expect(await h.app.notifier.deliverDue()).toMatchObject({ attempted: 1, sent: 1 })
    expect(receiver.requests).toHaveLength(1)
    const [request] = receiver.requests
    const row = (await notificationsOf(h.db)).find((n) => n.channel === 'webhook')!
    expect(row).toMatchObject({ status: 'sent', organisationId: ORGS.regenboog.id })
    expect(request!.headers['webhook-id']).toBe(row.messageId)
    expect(request!.headers['content-type']).toBe('application/json')

    const payload = new Webhook(hook.secret).verify(request!.body, request!.headers) as WebhookPayload
    expect(payload).toMatchObject({
      type: 'match.created',
      data: {
        eventId: event.eventId,
        matchId: event.matchId,
        notificationId: row.id,
        organisation: ORGS.regenboog.id,
      },
    })
    const other = payload.data.parties.find((p) => !p.own)
    expect(other).toMatchObject({
      organisation: { id: ORGS.zuidzorg.id },
      contact: event.parties[1]!.contact,
    })
    expect(other?.externalReference).toBeNull()
    expect(forbiddenIn(request!.body)).toEqual([])

    const another = new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`)
    expect(() => another.verify(request!.body, request!.headers)).toThrow(WebhookVerificationError)
    const tampered = request!.body.replace(ORGS.zuidzorg.name, 'Someone Else')
    expect(() => new Webhook(hook.secret).verify(tampered, request!.headers)).toThrow(
      WebhookVerificationError,
    )

    expect(await auditActions(h.db, 'notification.send')).toContainEqual(
      expect.objectContaining({
        purpose: `match.created by webhook to ${ORGS.regenboog.id}`,
        outcome: 'success',
      }),
    )
  })

  it('retries a 5xx and a timeout with the same webhook-id, each attempt signed anew', async () => {
    const { hook } = await matchWithWebhook()
    receiver.respond = (_request, index) => (index === 0 ? 503 : index === 1 ? 'hang' : 200)
    expect(await h.app.notifier.deliverDue()).toMatchObject({ attempted: 1, failed: 1 })
    let [row] = (await notificationsOf(h.db)).filter((n) => n.channel === 'webhook')
    expect(row).toMatchObject({ status: 'failed', attempts: 1, lastError: 'webhook: HTTP 503' })

    h.clock.advance(60_000)
    expect(await h.app.notifier.deliverDue()).toMatchObject({ attempted: 1, failed: 1 })
    ;[row] = (await notificationsOf(h.db)).filter((n) => n.channel === 'webhook')
    expect(row?.lastError).toMatch(/no answer within 1000 ms/)

    h.clock.advance(3 * 60_000)
    expect(await h.app.notifier.deliverDue()).toMatchObject({ attempted: 1, sent: 1 })
    expect(receiver.requests).toHaveLength(3)
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([row!.messageId]))
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-timestamp'])).size).toBe(3)
    for (const request of receiver.requests) {
      expect(() => new Webhook(hook.secret).verify(request.body, request.headers)).not.toThrow()
    }
  })

  it('a 410 Gone is permanent', async () => {
    await matchWithWebhook()
    receiver.respond = () => 410
    expect(await h.app.notifier.deliverDue()).toMatchObject({ attempted: 1, dead: 1 })
  })

  it('deleting a webhook cancels its deliveries not yet made; they cannot be retried', async () => {
    receiver.respond = () => 500
    const { hook } = await matchWithWebhook()
    await h.app.notifier.deliverDue()
    expect((await call('DELETE', `/v1/webhooks/${hook.id}`, school())).statusCode).toBe(204)
    const [row] = (await notificationsOf(h.db)).filter((n) => n.channel === 'webhook')
    expect(row).toMatchObject({ status: 'dead', lastError: 'webhook deleted' })
    const retry = await call('POST', `/v1/notifications/${row!.id}/retry`, h.admin)
    expect(retry.statusCode).toBe(409)
    h.clock.advance(3600_000)
    expect(await h.app.notifier.deliverDue()).toMatchObject({ attempted: 0 })
  })
})

describe('NODE_ENV=production (no SSRF into the operator’s network)', () => {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const publicKey = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const rs256 = (claims: Partial<TokenClaims>) => {
    const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url')
    const iat = Math.floor(h.clock.now().getTime() / 1000)
    const unsigned = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ iat, exp: iat + 600, ...claims })}`
    return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(keys.privateKey).toString('base64url')}`
  }
  const production = () =>
    h.build({ env: { NODE_ENV: 'production', JWT_SECRET: '', JWT_PUBLIC_KEY: publicKey } })

  it('accepts only https URLs to public addresses', async () => {
    const app = await production()
    const token = rs256(professional(ORGS.police.id))
    for (const url of [
      'http://hooks.politie.example/verwijsindex',
      'https://127.0.0.1/hook',
      'https://10.0.0.8/hook',
      'https://[::1]/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://localhost/hook',
    ]) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/webhooks',
        headers: { authorization: `Bearer ${token}` },
        payload: { url },
      })
      expect(res.statusCode, url).toBe(422)
      expect(res.json().errors[0].pointer).toBe('/url')
    }
    expect(await h.db.selectFrom('notify.webhooks').selectAll().execute()).toEqual([])
    await app.close()
  })

  it('checks again at delivery: a webhook to a private address is refused, not called', async () => {
    await matchWithWebhook()
    const app = await production()
    expect(await app.notifier.deliverDue()).toMatchObject({ attempted: 1, dead: 1 })
    const [row] = (await notificationsOf(h.db)).filter((n) => n.channel === 'webhook')
    expect(row?.lastError).toMatch(/^refused: the URL must be an https URL/)
    expect(receiver.requests).toHaveLength(0)
    await app.close()
  })

  it('refuses a host that resolves to a private address at delivery time (DNS rebinding)', async () => {
    const outcome = await postWebhook(
      {
        url: 'https://hooks.school.example/verwijsindex',
        secret: `whsec_${Buffer.alloc(32, 1).toString('base64')}`,
        id: 'n-1',
        timestamp: new Date(),
        body: '{}',
      },
      {
        policy: { production: true, allowPrivate: false },
        timeoutMs: 2000,
        resolve: async () => [{ address: '10.0.0.7', family: 4 }],
      },
    )
    // Refused without saying where the name points: lastError reaches the partner.
    expect(outcome).toEqual({
      kind: 'permanent',
      error: 'refused: hooks.school.example resolves to a non-public address',
    })
  })
})

describe('Idempotency-Key', () => {
  it('a retried registration gets the first answer back and creates no second webhook', async () => {
    const post = () =>
      h.app.inject({
        method: 'POST',
        url: '/v1/webhooks',
        headers: { authorization: `Bearer ${school()}`, 'idempotency-key': 'register-hook-1' },
        payload: { url: receiver.url() },
      })
    const first = await post()
    const retry = await post()
    expect(first.statusCode).toBe(201)
    expect(retry.statusCode).toBe(201)
    expect(retry.headers['idempotent-replayed']).toBe('true')
    expect(retry.json()).toEqual(first.json())
    expect(await h.db.selectFrom('notify.webhooks').select('id').execute()).toHaveLength(1)
  })

  it('lets only one of several simultaneous first attempts run', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 6 }, () =>
        h.app.inject({
          method: 'POST',
          url: '/v1/webhooks',
          headers: { authorization: `Bearer ${school()}`, 'idempotency-key': 'register-hook-2' },
          payload: { url: receiver.url() },
        }),
      ),
    )
    const statuses = attempts.map((a) => a.statusCode)
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1)
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true)
    expect(await h.db.selectFrom('notify.webhooks').select('id').execute()).toHaveLength(1)
  })

  it('answers 409 while an attempt is in progress, and lets a retry take over one abandoned for a minute', async () => {
    const body = { url: receiver.url() }
    const token = school()
    const hash = createHmac('sha256', TEST_SUBJECT_KEY_SECRET)
      .update(`/v1/webhooks\u0000${JSON.stringify(body)}`)
      .digest('hex')
    const claim = (at: Date) =>
      sql`insert into notify.idempotency_keys (scope, key, request_hash, status_code, response, created_at)
          values (${`org:${ORGS.regenboog.id}|/v1/webhooks`}, 'crashed-1', ${hash}, 0, 'null'::jsonb, ${at})`.execute(
        h.db,
      )
    const post = () =>
      h.app.inject({
        method: 'POST',
        url: '/v1/webhooks',
        headers: { authorization: `Bearer ${token}`, 'idempotency-key': 'crashed-1' },
        payload: body,
      })
    await claim(h.clock.now())
    const busy = await post()
    expect(busy.statusCode).toBe(409)
    expect(busy.json().detail).toMatch(/in progress/)
    await sql`update notify.idempotency_keys set created_at = ${new Date(h.clock.now().getTime() - 61_000)} where key = 'crashed-1'`.execute(
      h.db,
    )
    const takenOver = await post()
    expect(takenOver.statusCode).toBe(201)
    expect((await post()).headers['idempotent-replayed']).toBe('true')
  })
})
