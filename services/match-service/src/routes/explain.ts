import { amsterdamDate, auditRequest, ProblemError, problemSchema } from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { MatchContext } from '../commands.js'
import { knownOrganisations } from '../coordination.js'
import { getRegion } from '../db/regions.js'
import { ageOn } from '../domain/age.js'
import { evaluateCoordination, type PartyCandidate } from '../domain/coordination-rules.js'
import { sectorSchema, slugSchema } from '../domain/sectors.js'
import { organisationRefSchema } from '../views.js'

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
        tags: ['regions'],
        summary:
          "Which coordinator the region's rules would designate for a hypothetical case; touches no data",
        params: z.object({ code: slugSchema }),
        body: z
          .strictObject({
            birthDate: z.iso.date().optional(),
            ageYears: z.number().int().min(0).max(22).optional(),
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
    async (request) => {
      const region = await getRegion(ctx.db, request.params.code)
      if (!region) throw new ProblemError('not_found', `No region ${request.params.code}`)
      const { birthDate, ageYears, parties } = request.body
      const age = ageYears ?? ageOn(birthDate as string, amsterdamDate(ctx.clock.now()))
      return ctx.db.transaction().execute(async (trx) => {
        const ids = parties.map((p) => p.organisation).filter((id): id is string => Boolean(id))
        const named = ids.length
          ? await trx
              .selectFrom('match.organisations')
              .select(['id', 'name', 'sector', 'mayCoordinate', 'active'])
              .where('id', 'in', ids)
              .execute()
          : []
        // A party given only by sector is taken as able to coordinate; a named one as the index knows it.
        const candidates = parties.flatMap((p): PartyCandidate[] => {
          if (!p.organisation) return [{ organisationId: null, sector: p.sector, mayCoordinate: true }]
          const org = named.find((o) => o.id === p.organisation)
          return org?.active
            ? [{ organisationId: org.id, sector: org.sector, mayCoordinate: org.mayCoordinate }]
            : []
        })
        const organisations = await knownOrganisations(trx, region)
        const decision = evaluateCoordination({
          document: region.document,
          ageYears: age,
          parties: candidates,
          organisations,
          excluded: new Set(),
        })
        const unknown = ids.filter((id) => !named.some((o) => o.id === id && o.active))
        const trace = [
          ...unknown.map((id) => ({
            ruleId: 'parties',
            applied: false,
            reason: `organisation ${id} is unknown or deactivated; skipped`,
          })),
          ...decision.trace,
        ]
        let coordinator: z.infer<typeof explanationSchema>['coordinator'] = null
        if (decision.sector) {
          const org = decision.organisationId
            ? await trx
                .selectFrom('match.organisations')
                .select(['id', 'name', 'sector'])
                .where('id', '=', decision.organisationId)
                .executeTakeFirst()
            : undefined
          coordinator = { organisation: org ?? null, sector: decision.sector }
        }
        await auditRequest(trx, request, 'region.explain', { resource: { type: 'region', id: region.code } })
        return { coordinator, ruleId: decision.ruleId, trace }
      })
    },
  )
}
