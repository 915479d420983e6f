import { isValidBsn } from '@verwijsindex/shared'

/**
 * A registrant's externalReference is the only free text that reaches a notification, and a school may
 * well use a BSN, a birth date or a postcode in its own pupil reference. Mail and webhooks must never carry
 * those (Jeugdwet §7.1.4; docs/architecture.md), so anything shaped like one is masked before it is shown,
 * even to the registrant itself.
 */
const BSN_LIKE = /(?<!\d)\d(?:[ .-]?\d){8}(?!\d)/g
const DATE_LIKE = /(?<!\d)(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})(?!\d)/g
const POSTCODE_LIKE = /(?<![\dA-Za-z])[1-9]\d{3} ?[A-Za-z]{2}(?![A-Za-z])/g

export const REDACTED = '***'

export function redactReference(reference: string): string {
  return reference
    .replace(BSN_LIKE, (digits) => (isValidBsn(digits.replace(/[ .-]/g, '')) ? REDACTED : digits))
    .replace(DATE_LIKE, REDACTED)
    .replace(POSTCODE_LIKE, REDACTED)
}
