import { z } from 'zod'

/**
 * C0 and C1 control characters (NUL, CR, LF, ESC, ...) and UTF-16 surrogates that are not part of a
 * pair. None belongs in any field of this API (no field needs newlines), PostgreSQL refuses NUL in text
 * and lone surrogates in jsonb, and CR/LF in a contact detail would forge lines in mail to others.
 */
export function isSafeText(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return false
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1)
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false
      i++
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false
    }
  }
  return true
}

export const UNSAFE_TEXT_MESSAGE = 'must not contain control characters or unpaired surrogates'

/** The one text schema: a string of `min`..`max` characters without control characters. */
export function text(options: { min?: number; max: number }) {
  return z
    .string()
    .min(options.min ?? 0)
    .max(options.max)
    .refine(isSafeText, UNSAFE_TEXT_MESSAGE)
}

/** A professional's name: printable text. */
export const personNameSchema = text({ min: 1, max: 200 })
/** An email address (no CR/LF, no display name, nothing but the address). */
export const emailSchema = z.email('must be an email address').max(254)
/** A phone number: digits, spaces, `+`, `-` and parentheses, with at least six digits. */
export const phoneSchema = z
  .string()
  .max(40)
  .regex(/^(?=(?:[^0-9]*[0-9]){6})[0-9 +()-]+$/, 'must be a phone number: digits, spaces, +, - and ()')

/**
 * The first string (or object key) in a parsed body, query or params that holds a control character or a
 * lone surrogate, as a JSON Pointer below `base`; undefined when there is none.
 */
export function findUnsafeText(value: unknown, base = ''): string | undefined {
  if (typeof value === 'string') return isSafeText(value) ? undefined : base || '/'
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnsafeText(value[i], `${base}/${i}`)
      if (found !== undefined) return found
    }
    return undefined
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const pointer = `${base}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`
      if (!isSafeText(key)) return pointer
      const found = findUnsafeText(inner, pointer)
      if (found !== undefined) return found
    }
  }
  return undefined
}
