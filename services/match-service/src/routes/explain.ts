import { actorOf, problemSchema } from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { MatchContext } from '../context.js'
import { MAX_AGE } from '../domain/age.js'
import { sectorSchema, slugSchema } from '../domain/sectors.js'
import { explainCoordination } from '../use-cases/explain-coordination.js'
import { organisationRefSchema } from '../views/schemas.js'

const explanationSchema = z
  .object({
    coordinator: z
      .object({
        organisation: organisationRefSchema
          .nullable()
          .describe('The organisation designated; null when the winning party was given only by sector.'),
        sector: sectorSchema.describe("The coordinator's sector."),
      })
      .nullable()
      .describe('Who would coordinate; null when no rule and no fallback yields anyone (`unassigned`).'),
    ruleId: z
      .string()
      .nullable()
      .describe('The rule that decided; null for the fallback or nobody.')
      .meta({ example: '4-to-18' }),
    trace: z
      .array(
        z
          .object({
            ruleId: z
              .string()
              .describe('The rule (or `fallback`, or a skipped party).')
              .meta({ example: 'under-4' }),
            applied: z.boolean().describe('Whether this rule decided.'),
            reason: z
              .string()
              .describe('Why it did or did not apply, for people.')
              .meta({ example: 'age 7 is not below 4' }),
          })
          .describe('One rule as evaluated.'),
      )
      .describe('Every rule in order, with why it applied or not.'),
  })
  .meta({ id: 'CoordinationExplanation' })

export const explainRoutes: FastifyPluginAsyncZod<{ ctx: MatchContext }> = async (app, { ctx }) => {
  app.post(
    '/v1/regions/:code/explain',
    {
      config: { readOnly: true },
      schema: {
        operationId: 'explainCoordination',
        summary: 'Explain coordinator designation',
        description:
          "Which coordinator the region's rules would designate for a hypothetical case, with a trace of every rule; touches no data.",
        tags: ['regions'],
        params: z.object({ code: slugSchema }),
        body: z
          .strictObject({
            birthDate: z.iso.date().optional().describe("The child's birth date; give this or ageYears."),
            ageYears: z
              .number()
              .int()
              .min(0)
              .max(MAX_AGE - 1)
              .optional()
              .describe("The child's age in whole years; give this or birthDate.")
              .meta({ example: 7 }),
            parties: z
              .array(
                z
                  .strictObject({
                    sector: sectorSchema.describe("The party's sector."),
                    organisation: slugSchema
                      .optional()
                      .describe(
                        'The organisation, if known; without it the party counts as able to coordinate.',
                      ),
                  })
                  .describe('An involved party.'),
              )
              .min(1)
              .max(50)
              .describe('The organisations involved in the hypothetical case.'),
          })
          .refine((b) => (b.birthDate === undefined) !== (b.ageYears === undefined), {
            message: 'give birthDate or ageYears (one of them)',
            path: ['ageYears'],
          }),
        response: { 200: explanationSchema, 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => explainCoordination(ctx, actorOf(request), request.params.code, request.body),
  )
}
