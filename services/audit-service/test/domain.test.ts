import { createHash, generateKeyPairSync } from 'node:crypto'
import { TEST_AUDIT_SIGNING_KEY } from '@verwijsindex/shared/testing'
import { describe, expect, it } from 'vitest'
import {
  type CheckpointStatement,
  canonicalEvent,
  chainHash,
  checkpointMessage,
  createCheckpointSigner,
  GENESIS_HASH,
  type SealableEvent,
} from '../src/domain/chain.js'
import { csvCell } from '../src/domain/event.js'

const event: SealableEvent = {
  id: 42,
  occurredAt: '2026-03-02T09:00:00.123456Z',
  service: 'match-service',
  action: 'match.read',
  outcome: 'success',
  actorId: 'pro-1',
  actorOrganisation: 'school-a',
  actorRoles: ['professional'],
  actorOnBehalfOf: null,
  subjectKey: 'ab'.repeat(32),
  resourceType: 'match',
  resourceId: 'm-1',
  requestId: 'req-1',
  clientIp: '10.0.0.1',
  userAgent: 'curl/8',
  purpose: null,
  xactId: 1234,
}

describe('hash chain', () => {
  it('serialises every column in a fixed order, as the README documents', () => {
    expect(canonicalEvent(event)).toBe(
      `[42,"2026-03-02T09:00:00.123456Z","match-service","match.read","success","pro-1","school-a",["professional"],null,"${'ab'.repeat(32)}","match","m-1","req-1","10.0.0.1","curl/8",null,1234]`,
    )
  })

  it('hashes the previous hash, the position and the event', () => {
    const expected = createHash('sha256')
      .update(`${GENESIS_HASH}\n1\n${canonicalEvent(event)}`)
      .digest('hex')
    expect(chainHash(GENESIS_HASH, 1, event)).toBe(expected)
    expect(chainHash(GENESIS_HASH, 2, event)).not.toBe(expected)
    expect(chainHash('1'.repeat(64), 1, event)).not.toBe(expected)
  })

  it.each(Object.keys(event) as (keyof SealableEvent)[])('a change to %s changes the hash', (column) => {
    const value = event[column]
    const changed = {
      ...event,
      [column]:
        typeof value === 'number' ? value + 1 : Array.isArray(value) ? [...value, 'x'] : `${value ?? ''}x`,
    }
    expect(chainHash(GENESIS_HASH, 1, changed)).not.toBe(chainHash(GENESIS_HASH, 1, event))
  })

  it('tells null from the text "null"', () => {
    expect(chainHash(GENESIS_HASH, 1, { ...event, purpose: 'null' })).not.toBe(
      chainHash(GENESIS_HASH, 1, event),
    )
  })
})

describe('checkpoints', () => {
  const statement: CheckpointStatement = {
    kind: 'seal',
    count: 7,
    head: 'cd'.repeat(32),
    sealedAt: new Date('2026-03-02T09:01:00Z'),
    retainedFrom: null,
  }

  it('sign a plain message that names kind, count, head and time', () => {
    expect(checkpointMessage(statement)).toBe(
      `verwijsindex audit checkpoint v1\nkind: seal\ncount: 7\nhead: ${'cd'.repeat(32)}\nsealedAt: 2026-03-02T09:01:00.000Z\n`,
    )
    const signer = createCheckpointSigner(TEST_AUDIT_SIGNING_KEY)
    const signature = signer.sign(statement)
    expect(signer.verify(statement, signature)).toBe(true)
    expect(signer.verify({ ...statement, count: 8 }, signature)).toBe(false)
    expect(signer.verify({ ...statement, kind: 'purge', retainedFrom: new Date(0) }, signature)).toBe(false)
    expect(signer.verify(statement, 'not base64 at all')).toBe(false)
    expect(signer.keyId).toMatch(/^[0-9a-f]{16}$/)
  })

  it('refuse a signing key that is not Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    })
    expect(() => createCheckpointSigner(rsa.toString())).toThrow(/Ed25519/)
  })
})

describe('CSV cells', () => {
  it.each([
    [null, ''],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=1+1', "'=1+1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    [12, '12'],
  ])('%j → %s', (value, cell) => {
    expect(csvCell(value)).toBe(cell)
  })
})
