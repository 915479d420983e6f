import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { type SharedTables, storedFingerprint } from './db/index.js'

/**
 * The BSN (burgerservicenummer) is validated and immediately turned into a subject key; it is never
 * stored, logged, queued or put in a URL. The elfproef: 9 digits d1..d9 with
 * 9·d1 + 8·d2 + … + 2·d8 − 1·d9 divisible by 11.
 */
export function isValidBsn(bsn: string): boolean {
  if (!/^\d{9}$/.test(bsn) || bsn === '000000000') return false
  let sum = 0
  for (let i = 0; i < 8; i++) sum += Number(bsn[i]) * (9 - i)
  sum -= Number(bsn[8])
  return sum % 11 === 0
}

/**
 * Whether free-ish text hides a BSN: with spaces, dots and dashes removed, a run of exactly nine digits
 * (not part of a longer run) that passes the elfproef. `111-222-333` and `LLN 111.222.333` do;
 * `LLN-2041` and a 12-digit case number do not.
 */
export function containsBsn(value: string): boolean {
  const compact = value.replace(/[ .-]/g, '')
  for (const run of compact.match(/\d+/g) ?? []) {
    if (run.length === 9 && isValidBsn(run)) return true
  }
  return false
}

/** A BSN in a request body: validated here, turned into a subject key at once by the use case. */
export const bsnSchema = z
  .string()
  .refine(isValidBsn, 'must be a valid BSN: 9 digits passing the elfproef')
  .meta({
    description: 'Burgerservicenummer: 9 digits passing the elfproef. Never stored.',
    example: '111222333',
  })

function hmac(secret: string, purpose: string, value: string): string {
  return createHmac('sha256', secret).update(`${purpose}\u0000${value}`).digest('hex')
}

/** The keyed pseudonym of a child (HMAC-SHA-256 with SUBJECT_KEY_SECRET): what the index stores instead of the BSN. */
export function subjectKey(bsn: string, secret: string): string {
  return hmac(secret, 'subject', bsn)
}

/**
 * A house number as one spelling: upper case, no leading zeros, and an addition joined without spaces or
 * a hyphen ("12 a", "12-A" and "12A" are one address), except that an addition starting with a digit keeps
 * one hyphen, so "12-1" stays apart from "121". Registrants and the admin's list of excluded addresses
 * type the same address differently; only one spelling per address lets them meet.
 */
export function normaliseHouseNumber(houseNumber: string): string {
  const parts = /^0*(\d+)\s*(.*)$/.exec(houseNumber.trim().toUpperCase())
  if (!parts) return houseNumber.trim().toUpperCase()
  const number = parts[1] as string
  const addition = (parts[2] as string).replace(/\s+/g, '').replace(/^-+/, '')
  if (addition === '') return number
  return /^\d/.test(addition) ? `${number}-${addition}` : `${number}${addition}`
}

/** A household address normalised (postcode without spaces, upper case; house number as above) then keyed. */
export function householdKey(postcode: string, houseNumber: string, secret: string): string {
  const normalised = `${postcode.replace(/\s+/g, '').toUpperCase()}|${normaliseHouseNumber(houseNumber)}`
  return hmac(secret, 'household', normalised)
}

/** A fingerprint of the key itself, so a changed or lost key is noticed before it silently breaks every match. */
export function keyFingerprint(secret: string): string {
  return hmac(secret, 'fingerprint', 'verwijsindex-subject-key')
}

export class SubjectKeyMismatchError extends Error {
  constructor() {
    super(
      'SUBJECT_KEY_SECRET does not match the key this database was created with. ' +
        'Every stored subject key was made with the original key, so with this one no registration would ' +
        'ever match again. Restore the original SUBJECT_KEY_SECRET.',
    )
    this.name = 'SubjectKeyMismatchError'
  }
}

/** Records the key's fingerprint on first use; afterwards refuses any other key. */
export async function verifySubjectKeyFingerprint(db: Kysely<SharedTables>, secret: string): Promise<void> {
  const fingerprint = keyFingerprint(secret)
  const a = Buffer.from(await storedFingerprint(db, fingerprint))
  const b = Buffer.from(fingerprint)
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new SubjectKeyMismatchError()
}
