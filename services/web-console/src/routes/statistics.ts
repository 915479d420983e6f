import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { must } from '../api/http.js'
import type { ConsoleContext } from '../app.js'
import { fieldErrors } from '../pages/forms.js'
import { contextOf } from '../pages/layout.js'
import { type StatisticsQuery, statisticsPage } from '../pages/statistics.js'
import { callerOf, send } from './registrations.js'

const policy = ['policy_officer'] as const
type Query = { Querystring: Record<string, string | undefined> }

/** The region's figures for policy officers: tables and charts per measure, CSV through the console. */
export async function statisticsRoutes(app: FastifyInstance, { api, clock }: ConsoleContext): Promise<void> {
  /** The region asked for (a token bound to one region: that one), and by default the last six months. */
  const queryOf = async (request: FastifyRequest<Query>) => {
    const regions = (await must(api.match.regions(callerOf(request)))).items
    const bound = (request.session?.claims as { region?: string } | undefined)?.region
    const now = clock.now()
    const month = (back: number) => {
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1))
      return d.toISOString().slice(0, 7)
    }
    const q = request.query
    const query: StatisticsQuery = {
      region: bound ?? q.region?.trim() ?? regions[0]?.code ?? '',
      from: q.from?.trim() || month(5),
      to: q.to?.trim() || month(0),
    }
    return { regions: bound ? regions.filter((r) => r.code === bound) : regions, query }
  }

  app.get<Query>('/statistics', { config: { access: policy } }, async (request, reply) => {
    const { regions, query } = await queryOf(request)
    const page = contextOf(request)
    const result = await api.match.statistics(callerOf(request), query.region, {
      from: query.from,
      to: query.to,
    })
    if (!result.ok) {
      if (result.problem.status !== 400 && result.problem.status !== 422) await must(Promise.resolve(result))
      const { fields } = fieldErrors(result.problem)
      // The problem's own sentence too: a rule (e.g. the running month) explains more than the field alone.
      return send(reply, statisticsPage(page, regions, query, null, fields, result.problem.detail), 400)
    }
    return send(reply, statisticsPage(page, regions, query, result.value, {}, null))
  })

  app.get<Query>('/statistics.csv', { config: { access: policy } }, async (request, reply) => {
    const { query } = await queryOf(request)
    const response = await api.match.statisticsCsv(callerOf(request), query.region, {
      from: query.from,
      to: query.to,
    })
    return reply
      .type(response.headers.get('content-type') ?? 'text/csv; charset=utf-8')
      .header('content-disposition', response.headers.get('content-disposition') ?? 'attachment')
      .header('cache-control', 'no-store')
      .send(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream))
  })
}
