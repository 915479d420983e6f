import { createPublicKey, verify } from 'node:crypto'
import { createDb, recordAuditEvents } from '@verwijsindex/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuditDatabase } from '../src/db/schema.js'
import { chainHash, GENESIS_HASH } from '../src/domain/chain.js'
import { type AuditHarness, auditEvent, startAuditService } from './helpers.js'

let h: AuditHarness
beforeAll(async () => {
  h = await startAuditService()
})
afterAll(() => h.close())

const seals = () =>
  h.db.selectFrom('audit.seals').select(['seq', 'eventId', 'prevHash', 'hash']).orderBy('seq').execute()
const eventIds = async () =>
  (await h.db.selectFrom('audit.events').select('id').orderBy('id').execute()).map((e) => e.id)
const verify200 = async () => {
  const res = await h.get('/v1/audit/verify', h.auditor)
  expect(res.statusCode).toBe(200)
  return res.json()
}

describe('sealing', () => {
  it('chains every committed event once, and ends the run with a signed checkpoint', async () => {
    await h.write([{ action: 'match.read' }, { action: 'registration.create' }, { action: 'access.denied' }])
    const run = await h.seal()
    expect(run.sealed).toBe(3)
    expect(run.checkpoint).toMatchObject({ kind: 'seal', count: 3, head: run.head.hash })
    const chain = await seals()
    expect(chain.map((s) => s.seq)).toEqual([1, 2, 3])
    expect(chain[0]?.prevHash).toBe(GENESIS_HASH)
    expect(chain[1]?.prevHash).toBe(chain[0]?.hash)
    expect(chain.map((s) => s.eventId)).toEqual(await eventIds())

    const again = await h.seal()
    expect(again).toMatchObject({ sealed: 0, checkpoint: null, head: run.head })
    expect((await seals()).length).toBe(3)
  })

  it('seals a transaction that took its id early and committed late (out of id order)', async () => {
    const before = (await seals()).length
    const slow = await h.db.startTransaction().execute()
    await recordAuditEvents<AuditDatabase>(slow, [auditEvent({ action: 'slow.write' })])
    const slowId = (
      await slow
        .selectFrom('audit.events')
        .select('id')
        .where('action', '=', 'slow.write')
        .executeTakeFirstOrThrow()
    ).id
    await h.write([{ action: 'fast.write' }])
    const fastId = (
      await h.db
        .selectFrom('audit.events')
        .select('id')
        .where('action', '=', 'fast.write')
        .executeTakeFirstOrThrow()
    ).id
    expect(fastId).toBeGreaterThan(slowId)

    const first = await h.seal()
    expect(first.sealed).toBe(1)
    await slow.commit().execute()
    const second = await h.seal()
    expect(second.sealed).toBe(1)

    const chain = await seals()
    expect(chain.slice(before).map((s) => s.eventId)).toEqual([fastId, slowId])
    expect(chain.map((s) => s.eventId).sort((a, b) => a - b)).toEqual(await eventIds())
    expect(await verify200()).toMatchObject({ ok: true, firstBreak: null })
  })

  it('many writers committing in random order, sealed by concurrent runs: every event sealed exactly once', async () => {
    const writers = 12
    // A pool of their own: each open transaction holds a connection while the sealers need theirs.
    const writerDb = createDb<AuditDatabase>(h.url, { max: writers })
    const transactions = await Promise.all(
      Array.from({ length: writers }, () => writerDb.startTransaction().execute()),
    )
    for (const [i, trx] of transactions.entries()) {
      await recordAuditEvents<AuditDatabase>(trx, [
        auditEvent({ action: 'concurrent.write', requestId: `req-concurrent-${i}` }),
      ])
    }
    const order = transactions.map((trx, i) => ({ trx, key: (i * 7919) % writers }))
    order.sort((a, b) => a.key - b.key)
    const runs: Promise<unknown>[] = []
    for (const [i, { trx }] of order.entries()) {
      await trx.commit().execute()
      if (i % 5 === 0) runs.push(h.seal(), h.seal())
    }
    await Promise.all(runs)
    await h.seal()
    await writerDb.destroy()

    const chain = await seals()
    const ids = await eventIds()
    expect(chain).toHaveLength(ids.length)
    expect(new Set(chain.map((s) => s.eventId)).size).toBe(ids.length)
    expect(chain.map((s) => s.seq)).toEqual(chain.map((_, i) => i + 1))
    expect(await verify200()).toMatchObject({ ok: true, checked: ids.length, unsealed: 0 })
  })

  it('rolled-back events never enter the chain, and a later run is not confused by them', async () => {
    const trx = await h.db.startTransaction().execute()
    await recordAuditEvents<AuditDatabase>(trx, [auditEvent({ action: 'rolled.back' })])
    await trx.rollback().execute()
    await h.write([{ action: 'after.rollback' }])
    await h.seal()
    const sealedActions = await h.db
      .selectFrom('audit.seals')
      .innerJoin('audit.events', 'audit.events.id', 'audit.seals.eventId')
      .select('action')
      .execute()
    expect(sealedActions.map((r) => r.action)).toContain('after.rollback')
    expect(sealedActions.map((r) => r.action)).not.toContain('rolled.back')
    expect(await verify200()).toMatchObject({ ok: true, unsealed: 0 })
  })

  it('the hash covers the previous hash, the position and every column', async () => {
    const chain = await seals()
    const last = chain.at(-1)!
    const row = await h.db
      .selectFrom('audit.events')
      .selectAll()
      .select((eb) =>
        eb.fn<string>('to_char', [eb.ref('occurredAt'), eb.val('YYYY-MM-DD"T"HH24:MI:SS.US"Z"')]).as('t'),
      )
      .where('id', '=', last.eventId)
      .executeTakeFirstOrThrow()
    // Same serialisation the README documents for third parties.
    const hash = chainHash(last.prevHash, last.seq, {
      ...row,
      occurredAt: row.occurredAt.toISOString().replace('Z', '000Z'),
    })
    expect(hash).toBe(last.hash)
  })

  it('serves checkpoints with the public key; anyone can check a signature with it', async () => {
    const res = await h.get('/v1/audit/checkpoints', h.auditor)
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body).toMatchObject({ algorithm: 'Ed25519', keyId: h.signer.keyId })
    expect(body.items.length).toBeGreaterThan(0)
    const publicKey = createPublicKey(body.publicKey)
    for (const c of body.items) {
      expect(c.message).toContain(`count: ${c.count}\nhead: ${c.head}\n`)
      expect(verify(null, Buffer.from(c.message), publicKey, Buffer.from(c.signature, 'base64'))).toBe(true)
      const forged = c.message.replace(`count: ${c.count}`, `count: ${c.count + 1}`)
      expect(verify(null, Buffer.from(forged), publicKey, Buffer.from(c.signature, 'base64'))).toBe(false)
    }
    const [newest] = body.items
    const head = (await seals()).at(-1)!
    expect(newest).toMatchObject({ count: head.seq, head: head.hash, kind: 'seal' })
  })

  it('seals and checkpoints are append-only, like the events', async () => {
    await expect(h.db.deleteFrom('audit.seals').where('seq', '=', 1).execute()).rejects.toThrow(/append-only/)
    await expect(
      h.db.updateTable('audit.seals').set({ hash: GENESIS_HASH }).where('seq', '=', 1).execute(),
    ).rejects.toThrow(/append-only/)
    await expect(h.db.deleteFrom('audit.checkpoints').execute()).rejects.toThrow(/append-only/)
    await expect(h.db.updateTable('audit.events').set({ action: 'x.y' }).execute()).rejects.toThrow(
      /append-only/,
    )
  })
})
