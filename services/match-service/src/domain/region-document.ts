import { text } from '@verwijsindex/shared'
import { z } from 'zod'
import { LEGAL_MAX_DURATION_DAYS, MAX_AGE } from './age.js'
import { sectorSchema, slugSchema } from './sectors.js'

const isoDate = z.iso.date()

/** A deadline: working days (Mon–Fri minus Dutch public holidays and the region's own) or hours. */
export const durationSchema = z.union([
  z.strictObject({ workingDays: z.number().int().min(0).max(365) }),
  z.strictObject({
    hours: z
      .number()
      .int()
      .min(0)
      .max(24 * 365),
  }),
])

const ageSchema = z
  .strictObject({
    from: z.number().int().min(0).max(MAX_AGE).optional(),
    below: z.number().int().min(1).max(MAX_AGE).optional(),
  })
  .refine((a) => a.from !== undefined || a.below !== undefined, 'give from, below or both')
  .refine(
    (a) => a.from === undefined || a.below === undefined || a.from < a.below,
    'from must be below below',
  )

const partiesSchema = z
  .strictObject({
    atLeast: z.number().int().min(1).optional(),
    below: z.number().int().min(2).optional(),
  })
  .refine((p) => p.atLeast !== undefined || p.below !== undefined, 'give atLeast, below or both')

/** All tests must hold. `age`: from inclusive, below exclusive, whole years on the evaluation day. */
export const conditionSchema = z.strictObject({
  involved: z.array(sectorSchema).min(1).optional(),
  notInvolved: z.array(sectorSchema).min(1).optional(),
  age: ageSchema.optional(),
  parties: partiesSchema.optional(),
})

export const ruleSchema = z.strictObject({
  id: slugSchema,
  description: text({ max: 500 }).optional(),
  when: conditionSchema.default({}),
  /** Sectors in order of preference. */
  coordinator: z.array(sectorSchema).min(1),
})

export const escalationStepSchema = z.strictObject({
  level: z.number().int().min(1).max(10),
  description: text({ max: 500 }).optional(),
  after: durationSchema,
  notify: z.array(slugSchema).min(1),
})

/**
 * Follow-up of a match (issue 14), each counted in working days from a party's `since`
 * (`remindAfter`, `contactWithin`) or from the match's creation (`warmHandoverWithin`).
 */
export const followUpSchema = z
  .strictObject({
    /** A party that has not recorded contact by then is reminded once. */
    remindAfter: durationSchema,
    /** Parties still silent then are reported to the coordinator, or without one the match escalates to level 1. */
    contactWithin: durationSchema,
    /** The coordinator records the warm handover (care arranged, the family arrived) by then. */
    warmHandoverWithin: durationSchema,
  })
  .refine(
    (f) =>
      !('workingDays' in f.remindAfter && 'workingDays' in f.contactWithin) ||
      f.remindAfter.workingDays <= f.contactWithin.workingDays,
    {
      message: 'remindAfter may not exceed contactWithin',
      path: ['remindAfter'],
    },
  )

export const regionDocumentSchema = z
  .strictObject({
    name: text({ min: 1, max: 200 }),
    description: text({ max: 4000 }).optional(),
    municipalities: z.array(z.string().regex(/^\d{4}$/, 'must be a 4-digit CBS municipality code')),
    registration: z
      .strictObject({
        defaultDurationDays: z.number().int().min(1).max(LEGAL_MAX_DURATION_DAYS),
        maxDurationDays: z.number().int().min(1).max(LEGAL_MAX_DURATION_DAYS),
      })
      .refine((r) => r.defaultDurationDays <= r.maxDurationDays, {
        message: 'defaultDurationDays may not exceed maxDurationDays',
        path: ['defaultDurationDays'],
      }),
    holidays: z.array(isoDate).default([]),
    coordination: z.strictObject({
      rules: z.array(ruleSchema),
      designated: z.partialRecord(sectorSchema, slugSchema).default({}),
      fallback: z.union([z.literal('first-registrant'), slugSchema]).default('first-registrant'),
      acceptWithin: durationSchema,
      escalation: z.array(escalationStepSchema).default([]),
    }),
    followUp: followUpSchema.optional(),
  })
  .superRefine((doc, ctx) => {
    const seen = new Set<string>()
    doc.coordination.rules.forEach((rule, i) => {
      if (seen.has(rule.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['coordination', 'rules', i, 'id'],
          message: `duplicate rule id ${rule.id}`,
        })
      }
      seen.add(rule.id)
    })
    doc.coordination.escalation.forEach((step, i) => {
      if (step.level !== i + 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['coordination', 'escalation', i, 'level'],
          message: `escalation levels must be 1, 2, 3, … in order; expected ${i + 1}`,
        })
      }
    })
    if (new Set(doc.municipalities).size !== doc.municipalities.length) {
      ctx.addIssue({ code: 'custom', path: ['municipalities'], message: 'a municipality is listed twice' })
    }
  })

export type RegionDocument = z.infer<typeof regionDocumentSchema>
export type CoordinationRule = z.infer<typeof ruleSchema>
export type Duration = z.infer<typeof durationSchema>
export type FollowUpRules = z.infer<typeof followUpSchema>
