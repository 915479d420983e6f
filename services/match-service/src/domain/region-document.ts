import { text } from '@verwijsindex/shared'
import { z } from 'zod'
import { LEGAL_MAX_DURATION_DAYS, MAX_AGE } from './age.js'
import { sectorSchema, slugSchema } from './sectors.js'

const isoDate = z.iso.date()

/** A deadline: working days (Mon–Fri minus Dutch public holidays and the region's own) or hours. */
export const durationSchema = z
  .union([
    z.strictObject({
      workingDays: z
        .number()
        .int()
        .min(0)
        .max(365)
        .describe("Working days: Monday to Friday, minus Dutch public holidays and the region's holidays.")
        .meta({ example: 5 }),
    }),
    z.strictObject({
      hours: z
        .number()
        .int()
        .min(0)
        .max(24 * 365)
        .describe('Hours on the clock.')
        .meta({ example: 48 }),
    }),
  ])
  .describe('A deadline, counted from the designation: in working days or in hours.')

const ageSchema = z
  .strictObject({
    from: z.number().int().min(0).max(MAX_AGE).optional().describe('From this age (inclusive), whole years.'),
    below: z
      .number()
      .int()
      .min(1)
      .max(MAX_AGE)
      .optional()
      .describe('Below this age (exclusive), whole years.'),
  })
  .describe("The child's age on the evaluation day: from inclusive, below exclusive.")
  .refine((a) => a.from !== undefined || a.below !== undefined, 'give from, below or both')
  .refine(
    (a) => a.from === undefined || a.below === undefined || a.from < a.below,
    'from must be below below',
  )

const partiesSchema = z
  .strictObject({
    atLeast: z.number().int().min(1).optional().describe('At least this many distinct organisations active.'),
    below: z.number().int().min(2).optional().describe('Fewer than this many distinct organisations active.'),
  })
  .describe('How many distinct organisations are active in the match.')
  .refine((p) => p.atLeast !== undefined || p.below !== undefined, 'give atLeast, below or both')

/** All tests must hold. `age`: from inclusive, below exclusive, whole years on the evaluation day. */
export const conditionSchema = z.strictObject({
  involved: z.array(sectorSchema).min(1).optional().describe('Any of these sectors has an active party.'),
  notInvolved: z.array(sectorSchema).min(1).optional().describe('None of these sectors has an active party.'),
  age: ageSchema.optional(),
  parties: partiesSchema.optional(),
})

export const ruleSchema = z.strictObject({
  id: slugSchema
    .describe("The rule's id, unique in the document; explanations name it.")
    .meta({ example: 'under-4' }),
  description: text({ max: 500 }).optional().describe('What the rule says, for people.'),
  when: conditionSchema.default({}).describe('When the rule applies: all its tests hold (none: always).'),
  coordinator: z.array(sectorSchema).min(1).describe('The coordinating sectors, in order of preference.'),
})

export const escalationStepSchema = z.strictObject({
  level: z.number().int().min(1).max(10).describe('The step: 1, 2, 3, … in order.'),
  description: text({ max: 500 }).optional().describe('What this step means, for people.'),
  after: durationSchema.describe('When the step is reached, counted from the designation.'),
  notify: z
    .array(slugSchema)
    .min(1)
    .describe('The organisations told when the step is reached; they may then read the match.'),
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
    name: text({ min: 1, max: 200 })
      .describe("The region's name.")
      .meta({ example: 'Zorg voor Jeugd Eindhoven' }),
    description: text({ max: 4000 }).optional().describe('The covenant, for people.'),
    municipalities: z
      .array(z.string().regex(/^\d{4}$/, 'must be a 4-digit CBS municipality code'))
      .describe('The CBS codes of its municipalities; a municipality belongs to at most one region.')
      .meta({ example: ['0772'] }),
    registration: z
      .strictObject({
        defaultDurationDays: z
          .number()
          .int()
          .min(1)
          .max(LEGAL_MAX_DURATION_DAYS)
          .describe('The duration of a registration that gives none, in days.'),
        maxDurationDays: z
          .number()
          .int()
          .min(1)
          .max(LEGAL_MAX_DURATION_DAYS)
          .describe('The longest duration allowed, in days (at most the legal two years).'),
      })
      .describe('Durations of registrations in the region.')
      .refine((r) => r.defaultDurationDays <= r.maxDurationDays, {
        message: 'defaultDurationDays may not exceed maxDurationDays',
        path: ['defaultDurationDays'],
      }),
    holidays: z
      .array(isoDate)
      .default([])
      .describe("The region's own days off, besides the Dutch public holidays, for working-day deadlines."),
    coordination: z
      .strictObject({
        rules: z
          .array(ruleSchema)
          .describe('The covenant rules, evaluated in order; the first that yields an organisation decides.'),
        designated: z
          .partialRecord(sectorSchema, slugSchema)
          .default({})
          .describe(
            'Per sector, the organisation that coordinates when no involved party of that sector may.',
          ),
        fallback: z
          .union([z.literal('first-registrant'), slugSchema])
          .default('first-registrant')
          .describe('When no rule yields anyone: `first-registrant` or an organisation id.'),
        acceptWithin: durationSchema.describe('How long the designated organisation has to accept.'),
        escalation: z
          .array(escalationStepSchema)
          .default([])
          .describe('The escalation ladder, level 1 first.'),
      })
      .describe('Who coordinates, and the escalation ladder.'),
    followUp: followUpSchema
      .optional()
      .describe('Follow-up deadlines: reminders, contact and the warm handover, in working days.'),
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
