import { actorOf, problemSchema } from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { MatchContext } from '../context.js'
import { slugSchema } from '../domain/sectors.js'
import { toCsv } from '../domain/suppression.js'
import { regionStatistics } from '../use-cases/region-statistics.js'

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month, YYYY-MM')
const counts = z.record(z.string(), z.number().nullable())
const count = z.number().nullable()

const monthSchema = z.object({
  month: z.string(),
  registrations: z.object({
    created: z.object({
      total: count,
      bySector: counts,
      byKind: counts,
      byAgeBand: counts,
      byMunicipality: counts,
    }),
    ended: z.object({ total: count, byReason: counts }),
  }),
  matches: z.object({
    opened: count,
    closed: count,
    openAtMonthEnd: count,
    householdLinks: count,
    crossRegion: count,
  }),
  followUp: z.object({
    opened: count,
    allContactedWithin: count,
    followUpRate: count,
    contacted: count,
    medianWorkingDaysToFirstContact: count,
    warmHandovers: count,
  }),
  coordination: z.object({
    designated: count,
    accepted: count,
    medianWorkingDaysToAcceptance: count,
    declined: count,
    declinesByReason: counts,
    escalated: count,
    escalationsByLevel: counts,
    unassignedAtMonthEnd: count,
  }),
})

const statisticsSchema = z
  .object({
    region: z.string(),
    from: z.string(),
    to: z.string(),
    minCell: z.number().int(),
    months: z.array(monthSchema),
    /** JSON Pointers of the figures withheld (null) by the small-cell rule. */
    suppressed: z.array(z.string()),
  })
  .meta({ id: 'RegionStatistics' })

export const statisticsRoutes: FastifyPluginAsyncZod<{ ctx: MatchContext }> = async (app, { ctx }) => {
  app.get(
    '/v1/regions/:code/statistics',
    {
      config: { roles: ['policy_officer', 'admin'] },
      schema: {
        operationId: 'regionStatistics',
        summary: "A region's monthly statistics",
        tags: ['regions'],
        description:
          'Monthly figures of a region (registrations, matches, follow-up, coordination), small cells suppressed. JSON, or CSV (`month,measure,breakdown,key,value`) with `Accept: text/csv`. A policy officer whose token carries another `region` gets 404.',
        params: z.object({ code: slugSchema }),
        querystring: z
          .strictObject({ from: month, to: month })
          .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['from'] }),
        response: {
          200: statisticsSchema,
          400: problemSchema,
          403: problemSchema,
          404: problemSchema,
          422: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const statistics = await regionStatistics(ctx, actorOf(request), {
        region: request.params.code,
        from: request.query.from,
        to: request.query.to,
        restrictedTo: (request.user as { region?: string }).region,
      })
      const accept = request.headers.accept ?? ''
      if (/\btext\/csv\b/.test(accept) && !/application\/json/.test(accept)) {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="statistics-${statistics.region}.csv"`)
          .serializer((payload: unknown) => payload as string)
          .send(toCsv(statistics.months) as never)
      }
      return statistics
    },
  )
}
