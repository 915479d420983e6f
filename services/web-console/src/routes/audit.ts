import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { must } from '../api/http.js'
import type { ConsoleContext } from '../app.js'
import { auditPage, auditSubjectPage, chainPage, FILTERS, type Filters } from '../pages/audit.js'
import { fieldErrors, formValue } from '../pages/forms.js'
import { contextOf } from '../pages/layout.js'
import { callerOf, failed, send } from './registrations.js'

const auditor = ['auditor'] as const
const orgAuditor = ['org_auditor'] as const

/** The start of a calendar day in the Netherlands, as the API's instant (`2026-03-02T00:00:00+01:00`). */
export function startOfDay(day: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined
  const noon = new Date(`${day}T12:00:00Z`)
  if (Number.isNaN(noon.getTime())) return undefined
  const offset =
    new Intl.DateTimeFormat('en', { timeZone: 'Europe/Amsterdam', timeZoneName: 'longOffset' })
      .formatToParts(noon)
      .find((p) => p.type === 'timeZoneName')
      ?.value.replace('GMT', '') || '+00:00'
  return `${day}T00:00:00${offset}`
}
const nextDay = (day: string) =>
  new Date(Date.parse(`${day}T12:00:00Z`) + 86400_000).toISOString().slice(0, 10)

export function filtersOf(query: Record<string, unknown>): Filters {
  const filters: Filters = {}
  for (const name of FILTERS) {
    const value = typeof query[name] === 'string' ? (query[name] as string).trim() : ''
    if (value) filters[name] = value
  }
  return filters
}

/** The filters as the API takes them: days become instants, `to` inclusive of its day. */
export function apiQuery(filters: Filters) {
  return {
    actor: filters.actor,
    organisation: filters.organisation,
    action: filters.action,
    outcome: filters.outcome,
    from: filters.from ? (startOfDay(filters.from) ?? filters.from) : undefined,
    to: filters.to ? (startOfDay(nextDay(filters.to)) ?? filters.to) : undefined,
  }
}

/** The auditor's pages: the access log, a child's access report, the chain and its checkpoints, export. */
export async function auditRoutes(app: FastifyInstance, { api }: ConsoleContext): Promise<void> {
  app.get<{ Querystring: Record<string, string> }>(
    '/audit',
    { config: { access: auditor } },
    async (request, reply) => {
      const filters = filtersOf(request.query)
      const result = await api.audit.events(callerOf(request), {
        ...apiQuery(filters),
        cursor: request.query.cursor,
        limit: 50,
      })
      if (!result.ok) {
        if (result.problem.status !== 400) return failed(reply, result.problem, () => '')
        const { fields, general } = fieldErrors(result.problem)
        return send(reply, auditPage(contextOf(request), filters, null, fields, general), 400)
      }
      return send(reply, auditPage(contextOf(request), filters, result.value, {}, null))
    },
  )

  // An organisation's own auditor: the same log, its organisation fixed (audit-service enforces it too).
  app.get<{ Querystring: Record<string, string> }>(
    '/audit/organisation',
    { config: { access: orgAuditor } },
    async (request, reply) => {
      const org = request.session?.claims.org ?? ''
      const filters = { ...filtersOf(request.query), organisation: org }
      const page = contextOf(request)
      const options = { lockedOrganisation: org, path: '/audit/organisation' }
      const result = await api.audit.events(callerOf(request), {
        ...apiQuery(filters),
        cursor: request.query.cursor,
        limit: 50,
      })
      if (!result.ok) {
        if (result.problem.status !== 400) return failed(reply, result.problem, () => '')
        const { fields, general } = fieldErrors(result.problem)
        return send(reply, auditPage(page, filters, null, fields, general, options), 400)
      }
      return send(reply, auditPage(page, filters, result.value, {}, null, options))
    },
  )

  app.get<{ Querystring: Record<string, string> }>(
    '/audit/export',
    { config: { access: [...auditor, ...orgAuditor] } },
    async (request, reply) => {
      const format = request.query.format === 'csv' ? 'csv' : 'ndjson'
      const response = await api.audit.export(callerOf(request), {
        ...apiQuery(filtersOf(request.query)),
        format,
      })
      return reply
        .type(response.headers.get('content-type') ?? 'application/octet-stream')
        .header('content-disposition', response.headers.get('content-disposition') ?? 'attachment')
        .header('cache-control', 'no-store')
        .send(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream))
    },
  )

  app.get('/audit/subject', { config: { access: auditor } }, async (request, reply) =>
    send(reply, auditSubjectPage(contextOf(request), {})),
  )

  app.post('/audit/subject', { config: { access: auditor } }, async (request: FastifyRequest, reply) => {
    const page = contextOf(request)
    const bsn = formValue(request.body, 'bsn').replace(/\s/g, '')
    if (!bsn) return send(reply, auditSubjectPage(page, { error: page.t.errors.required }), 400)
    const report = await api.audit.subjectReport(callerOf(request), bsn, { limit: 200 })
    if (!report.ok)
      return failed(reply, report.problem, (fields, general) =>
        auditSubjectPage(page, { error: fields.bsn ?? general ?? page.t.errors.fix, value: bsn }),
      )
    return send(reply, auditSubjectPage(page, { value: bsn, report: report.value }))
  })

  app.get('/audit/chain', { config: { access: auditor } }, async (request, reply) => {
    const caller = callerOf(request)
    const [verification, checkpoints] = await Promise.all([
      must(api.audit.verify(caller)),
      must(api.audit.checkpoints(caller, { limit: 10 })),
    ])
    return send(reply, chainPage(contextOf(request), verification, checkpoints))
  })
}
