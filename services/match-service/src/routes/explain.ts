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
    coordinator: z.object({ organisation: organisationRefSchema.nullable(), sector: z.string() }).nullable(),
    ruleId: z.string().nullable(),
    trace: z.array(z.object({ ruleId: z.string(), applied: z.boolean(), reason: z.string() })),
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
            birthDate: z.iso.date().optional(),
            ageYears: z
              .number()
              .int()
              .min(0)
              .max(MAX_AGE - 1)
              .optional(),
            parties: z
              .array(z.strictObject({ sector: sectorSchema, organisation: slugSchema.optional() }))
              .min(1)
              .max(50),
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
