import { createPublicKey, generateKeyPairSync } from 'node:crypto'
import { TEST_AUDIT_SIGNING_KEY } from '@verwijsindex/shared/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCheckpointSigner } from '../src/domain/chain.js'
import { sealAuditEvents } from '../src/use-cases/seal-events.js'
import { type AuditHarness, startAuditService } from './helpers.js'

/**
 * Rotating AUDIT_SIGNING_KEY: the new key signs from then on, and with the old key's public half in
 * AUDIT_PREVIOUS_PUBLIC_KEYS every checkpoint it signed (the retention checkpoint the chain starts from
 * included) still verifies; without it, verification names the checkpoint it cannot trust.
 */

let h: AuditHarness
beforeAll(async () => {
  h = await startAuditService()
})
afterAll(() => h.close())

const YEAR = 365 * 24 * 3600_000
const publicHalf = (privatePem: string) =>
  createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }).toString()
const NEW_KEY = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()

describe('audit signing key rotation', () => {
  it("verifies the old key's checkpoints through the ring, and signs new ones with the new key", async () => {
    const ago = (ms: number) => new Date(h.clock.now().getTime() - ms)
    await h.write([{ action: 'old.one', occurredAt: ago(6 * YEAR) }, { action: 'young.one' }])
    await h.seal()
    await h.purge(1826) // a retention checkpoint signed with the old key: the chain now starts there
    await h.seal()

    const rotated = await h.another({
      env: { AUDIT_SIGNING_KEY: NEW_KEY, AUDIT_PREVIOUS_PUBLIC_KEYS: publicHalf(TEST_AUDIT_SIGNING_KEY) },
    })
    const newSigner = createCheckpointSigner(NEW_KEY, [publicHalf(TEST_AUDIT_SIGNING_KEY)])
    await h.write([{ action: 'after.rotation' }])
    await sealAuditEvents(h.db, { clock: h.clock, signer: newSigner })

    const get = (url: string) =>
      rotated.inject({ method: 'GET', url, headers: { authorization: `Bearer ${h.auditor}` } })
    const page = (await get('/v1/audit/checkpoints?limit=100')).json()
    const oldKeyId = h.signer.keyId
    expect(page.keyId).toBe(newSigner.keyId)
    expect(page.keys.map((k: { keyId: string }) => k.keyId)).toEqual([newSigner.keyId, oldKeyId])
    const signedBy = new Set(page.items.map((c: { keyId: string }) => c.keyId))
    expect(signedBy).toEqual(new Set([newSigner.keyId, oldKeyId]))
    expect(page.items[0].keyId).toBe(newSigner.keyId)

    const verification = (await get('/v1/audit/verify')).json()
    expect(verification).toMatchObject({ ok: true, firstBreak: null, checkpointsOtherKey: 0 })
    expect(verification.checkpointsVerified).toBe(page.items.length)

    // Without the old public key the retention checkpoint the chain starts from cannot be trusted.
    const forgetful = await h.another({ env: { AUDIT_SIGNING_KEY: NEW_KEY } })
    const broken = (
      await forgetful.inject({
        method: 'GET',
        url: '/v1/audit/verify',
        headers: { authorization: `Bearer ${h.auditor}` },
      })
    ).json()
    expect(broken).toMatchObject({ ok: false, firstBreak: { reason: 'checkpoint_signature' } })
  })

  it('refuses a previous key that is not an Ed25519 public key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
      type: 'spki',
      format: 'pem',
    })
    expect(() => createCheckpointSigner(NEW_KEY, [rsa.toString()])).toThrow(/Ed25519/)
  })
})
