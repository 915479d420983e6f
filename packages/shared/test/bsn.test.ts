import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  householdKey,
  isValidBsn,
  keyFingerprint,
  normaliseHouseNumber,
  SubjectKeyMismatchError,
  subjectKey,
  verifySubjectKeyFingerprint,
} from '../src/bsn.js'
import { createDb, type SharedTables } from '../src/db/index.js'
import { createTestDatabase, generateBsn, type TestDatabase } from '../src/testing/index.js'

describe('BSN validation (elfproef)', () => {
  it.each(['111222333', '123456782', '999999990', '010000008'])('accepts %s', (bsn) => {
    expect(isValidBsn(bsn)).toBe(true)
  })

  it.each([
    ['111222334', 'check digit off by one'],
    ['123456789', 'fails the elfproef'],
    ['12345678', 'eight digits'],
    ['1234567820', 'ten digits'],
    ['12345678a', 'a letter'],
    [' 11122233', 'a space'],
    ['000000000', 'all zeros'],
  ])('refuses %s (%s)', (bsn) => {
    expect(isValidBsn(bsn)).toBe(false)
  })

  it('generates distinct valid BSNs for tests', () => {
    const bsns = Array.from({ length: 2000 }, (_, i) => generateBsn(i))
    expect(bsns.every(isValidBsn)).toBe(true)
    expect(new Set(bsns).size).toBe(2000)
  })
})

describe('subject key', () => {
  const secret = 'a'.repeat(40)
  it('is a keyed hash: stable for one key, different for another, never the BSN', () => {
    const key = subjectKey('111222333', secret)
    expect(key).toMatch(/^[0-9a-f]{64}$/)
    expect(subjectKey('111222333', secret)).toBe(key)
    expect(subjectKey('111222333', 'b'.repeat(40))).not.toBe(key)
    expect(subjectKey('123456782', secret)).not.toBe(key)
    expect(key).not.toContain('111222333')
  })

  it('normalises household addresses before keying them', () => {
    expect(householdKey('5611 ab', ' 12a ', secret)).toBe(householdKey('5611AB', '12A', secret))
    expect(householdKey('5611AB', '12', secret)).not.toBe(householdKey('5611AB', '14', secret))
  })

  it('spells a house number one way: an addition with or without a space or hyphen is one address', () => {
    for (const spelling of ['12A', '12a', '12 A', '12-a', ' 12 - A ', '012A']) {
      expect(normaliseHouseNumber(spelling), spelling).toBe('12A')
    }
    expect(normaliseHouseNumber('12 bis')).toBe('12BIS')
    expect(normaliseHouseNumber('12')).toBe('12')
    // A numeric addition keeps its hyphen: 12-1 (or "12 1") is not number 121.
    expect(normaliseHouseNumber('12 1')).toBe('12-1')
    expect(normaliseHouseNumber('12-1')).toBe('12-1')
    expect(normaliseHouseNumber('121')).toBe('121')
    expect(householdKey('5611 ab', '12 a', secret)).toBe(householdKey('5611AB', '12A', secret))
    expect(householdKey('5611AB', '12-1', secret)).not.toBe(householdKey('5611AB', '121', secret))
  })
})

describe('subject-key fingerprint', () => {
  let database: TestDatabase
  let db: Kysely<SharedTables>
  beforeAll(async () => {
    database = await createTestDatabase()
    db = createDb<SharedTables>(database.url, { max: 2 })
  })
  afterAll(async () => {
    await db.destroy()
    await database.drop()
  })

  it('records the first key and refuses any other afterwards', async () => {
    await verifySubjectKeyFingerprint(db, 'first-key-'.repeat(4))
    const stored = await db.selectFrom('match.subjectKeyFingerprint').select('fingerprint').execute()
    expect(stored).toEqual([{ fingerprint: keyFingerprint('first-key-'.repeat(4)) }])
    await expect(verifySubjectKeyFingerprint(db, 'first-key-'.repeat(4))).resolves.toBeUndefined()
    await expect(verifySubjectKeyFingerprint(db, 'other-key-'.repeat(4))).rejects.toBeInstanceOf(
      SubjectKeyMismatchError,
    )
    await expect(verifySubjectKeyFingerprint(db, 'other-key-'.repeat(4))).rejects.toThrow(
      /SUBJECT_KEY_SECRET does not match/,
    )
  })
})
