import { actorOf, problemSchema } from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { MatchContext } from '../context.js'
import { slugSchema } from '../domain/sectors.js'
import { toCsv } from '../domain/suppression.js'
import { regionStatistics } from '../use-cases/region-statistics.js'

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month, YYYY-MM')
const counts = (what: string) =>
  z
    .record(z.string(), z.number().nullable().describe('A count; null when suppressed.'))
    .describe(`${what}; a key with null was suppressed by the small-cell rule.`)
const count = (what: string) => z.number().nullable().describe(`${what}; null when suppressed.`)

const monthSchema = z
  .object({
    month: z.string().describe('The month, YYYY-MM (Europe/Amsterdam).').meta({ example: '2026-01' }),
    registrations: z
      .object({
        created: z
          .object({
            total: count('Registrations made in the month'),
            bySector: counts('Per sector of the registering organisation'),
            byKind: counts('Per kind (concern, involvement)'),
            byAgeBand: counts("Per age band on the registration's creation date (0-3, 4-11, 12-17, 18-22)"),
            byMunicipality: counts('Per municipality code given with the registration'),
          })
          .describe('Registrations made.'),
        ended: z
          .object({
            total: count('Registrations ended in the month'),
            byReason: counts('Per end reason'),
          })
          .describe('Registrations ended.'),
      })
      .describe('Registrations (meldingen).'),
    matches: z
      .object({
        opened: count('Matches made in the month'),
        closed: count('Matches closed in the month'),
        openAtMonthEnd: count('Matches open at the end of the month'),
        householdLinks: count('Household links made in the month'),
        crossRegion: count('Matches made in the month with parties from more than one region'),
      })
      .describe('Matches.'),
    followUp: z
      .object({
        opened: count('Matches made in the month (the base of the follow-up rate)'),
        allContactedWithin: count(
          'Of those, matches whose every party recorded contact within contactWithin',
        ),
        followUpRate: count('allContactedWithin / opened'),
        contacted: count('Matches with at least one recorded contact'),
        medianWorkingDaysToFirstContact: count(
          'Median working days from the match to its first recorded contact',
        ),
        warmHandovers: count('Warm handovers recorded in the month'),
      })
      .describe('Follow-up: whether a match led to contact.'),
    coordination: z
      .object({
        designated: count('Coordinations designated in the month'),
        accepted: count('Coordinations accepted in the month'),
        medianWorkingDaysToAcceptance: count('Median working days from designation to acceptance'),
        declined: count('Declines in the month'),
        declinesByReason: counts('Declines per reason'),
        escalated: count('Escalation steps reached in the month'),
        escalationsByLevel: counts('Escalation steps per level'),
        unassignedAtMonthEnd: count('Matches without a coordinator at the end of the month'),
      })
      .describe('Care coordination.'),
  })
  .describe("One month's figures.")

const statisticsSchema = z
  .object({
    region: z.string().describe('The region.').meta({ example: 'eindhoven' }),
    from: z.string().describe('The first month, YYYY-MM.'),
    to: z.string().describe('The last month, YYYY-MM.'),
    minCell: z.number().int().describe('The smallest count published (0 aside): STATISTICS_MIN_CELL.'),
    months: z
      .array(monthSchema)
      .describe('The months, oldest first; closed months are frozen when published.'),
    suppressed: z
      .array(z.string().describe('A JSON Pointer into this document.'))
      .describe('JSON Pointers of the figures withheld (null) by the small-cell rule.'),
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
