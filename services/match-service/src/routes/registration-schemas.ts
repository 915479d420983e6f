import { bsnSchema, containsBsn, emailSchema, personNameSchema, phoneSchema } from '@verwijsindex/shared'
import { z } from 'zod'
import { LEGAL_MAX_DURATION_DAYS } from '../domain/age.js'
import { contactSchema, organisationRefSchema } from '../views/schemas.js'
import { addressSchema } from './address-schema.js'

/** The request and answer bodies of the registration routes that only they use. */
export const archivedSchema = z
  .object({
    organisation: organisationRefSchema.describe('The organisation that held the ended registration.'),
    contact: contactSchema.describe('Its professional, to ask about it.'),
    kind: z.enum(['concern', 'involvement']).describe('What kind of registration it was.'),
    period: z
      .object({
        from: z.date().describe('When it was registered.'),
        to: z.date().describe('When it ended.'),
      })
      .describe('When it was active.'),
  })
  .describe('An ended registration of another organisation, from the history archive.')

export const contactInput = z
  .strictObject({
    name: personNameSchema.describe("The professional's name.").meta({ example: 'Anna de Vries' }),
    email: emailSchema
      .describe("The professional's email address.")
      .meta({ example: 'a.devries@regenboog.example' }),
    phone: phoneSchema.describe("The professional's phone number.").meta({ example: '+31 40 123 4567' }),
  })
  .describe(
    "The professional other parties contact; a system token must give it, a professional's token supplies it.",
  )

export const durationDaysInput = z.number().int().min(1).max(LEGAL_MAX_DURATION_DAYS)

/**
 * A registration holds only what the law allows (Jeugdwet 7.1.4): no reason, notes or any free text.
 * The schema is strict, so such a field is refused by name.
 */
export const registrationInput = z
  .strictObject({
    bsn: bsnSchema.describe("The child's BSN; turned into a keyed subject key on arrival and never stored."),
    birthDate: z.iso
      .date()
      .describe("The child's birth date; 23 or older is refused.")
      .meta({ example: '2016-05-10' }),
    kind: z
      .enum(['concern', 'involvement'])
      .describe('`concern`: a signal about the child; `involvement`: your organisation has care running.'),
    durationDays: durationDaysInput
      .optional()
      .describe("Days the registration lasts; default the region's, at most the legal maximum (two years)."),
    externalReference: z
      .string()
      .regex(/^[A-Za-z0-9._/-]{1,64}$/, 'must be a code of 1 to 64 letters, digits or . _ / -')
      // No BSN at rest, without exception: a reference that is (or hides) one is refused.
      .refine((value) => !containsBsn(value), 'must not contain a BSN')
      .optional()
      .describe('Your own reference (e.g. a pupil or case number): a code, not a place for text.')
      .meta({ example: 'LLN-2041' }),
    municipality: z
      .string()
      .regex(/^\d{4}$/, 'must be a 4-digit CBS municipality code')
      .optional()
      .describe("The child's municipality (CBS code); picks the region whose rules apply.")
      .meta({ example: '0772' }),
    household: addressSchema
      .optional()
      .describe("The child's home address, for household matches; only a keyed hash of it is kept."),
    contact: contactInput.optional(),
  })
  // The example 'Try it out' in /docs sends: valid as it stands (111222333 passes the elfproef).
  .meta({
    example: { bsn: '111222333', birthDate: '2016-05-10', kind: 'concern', externalReference: 'LLN-2041' },
  })
