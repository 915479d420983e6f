import type { FastifyInstance, FastifyRequest } from 'fastify'
import { must } from '../api/http.js'
import type { AuditEvent, Caller } from '../api/index.js'
import type { ConsoleContext } from '../app.js'
import { formValue } from '../pages/forms.js'
import { contextOf } from '../pages/layout.js'
import { eraseConfirmPage, erasedPage, subjectLookupPage, subjectPage } from '../pages/subjects.js'
import { accessReportPdf } from '../report/access-report.js'
import { callerOf, failed, send } from './registrations.js'

const privacyOfficer = ['privacy_officer'] as const
const ERASE_REASONS = ['objection', 'deceased', 'error']
/** The PDF lists every access; a child's log is short, this bounds a runaway one. */
const MAX_REPORT_PAGES = 50

/**
 * The privacy officer's pages for a parent's or young person's request (AVG art. 15-17). The BSN only ever
 * travels in POST bodies (the lookup form, then hidden fields): never in a URL, so never in a log.
 */
export async function subjectRoutes(app: FastifyInstance, { api, clock }: ConsoleContext): Promise<void> {
  const bsnOf = (request: FastifyRequest) => formValue(request.body, 'bsn').replace(/\s/g, '')

  app.get('/subjects', { config: { access: privacyOfficer } }, async (request, reply) =>
    send(reply, subjectLookupPage(contextOf(request))),
  )

  app.post('/subjects', { config: { access: privacyOfficer } }, async (request, reply) => {
    const page = contextOf(request)
    const bsn = bsnOf(request)
    if (!bsn) return send(reply, subjectLookupPage(page, { error: page.t.errors.required }), 400)
    const caller = callerOf(request)
    const held = await api.match.lookupSubject(caller, bsn)
    if (!held.ok)
      return failed(reply, held.problem, (fields, general) =>
        subjectLookupPage(page, { error: fields.bsn ?? general ?? page.t.errors.fix, value: bsn }),
      )
    const accesses = await must(api.audit.subjectReport(caller, bsn, { limit: 200 }))
    return send(reply, subjectPage(page, bsn, held.value, accesses))
  })

  app.post('/subjects/erase', { config: { access: privacyOfficer } }, async (request, reply) => {
    const page = contextOf(request)
    const bsn = bsnOf(request)
    const reason = formValue(request.body, 'reason')
    if (!bsn || !ERASE_REASONS.includes(reason))
      return send(reply, subjectLookupPage(page, { error: page.t.errors.required, value: bsn }), 400)
    if (formValue(request.body, 'confirm') !== 'yes') return send(reply, eraseConfirmPage(page, bsn, reason))
    const result = await api.match.eraseSubject(callerOf(request), bsn, reason)
    if (!result.ok)
      return failed(reply, result.problem, (fields, general) =>
        subjectLookupPage(page, { error: fields.bsn ?? general ?? page.t.errors.fix, value: bsn }),
      )
    return send(reply, erasedPage(page, result.value.erased))
  })

  app.post('/subjects/report.pdf', { config: { access: privacyOfficer } }, async (request, reply) => {
    const page = contextOf(request)
    const bsn = bsnOf(request)
    if (!bsn) return send(reply, subjectLookupPage(page, { error: page.t.errors.required }), 400)
    const caller = callerOf(request)
    const held = await api.match.lookupSubject(caller, bsn)
    if (!held.ok)
      return failed(reply, held.problem, (fields, general) =>
        subjectLookupPage(page, { error: fields.bsn ?? general ?? page.t.errors.fix, value: bsn }),
      )
    const accesses = await allAccesses(caller, bsn)
    const now = clock.now()
    const pdf = await accessReportPdf(held.value, accesses, now)
    return reply
      .type('application/pdf')
      .header(
        'content-disposition',
        `attachment; filename="inzage-verwijsindex-${now.toISOString().slice(0, 10)}.pdf"`,
      )
      .header('cache-control', 'no-store')
      .send(pdf)
  })

  async function allAccesses(caller: Caller, bsn: string): Promise<AuditEvent[]> {
    const events: AuditEvent[] = []
    let cursor: string | undefined
    for (let i = 0; i < MAX_REPORT_PAGES; i++) {
      const page = await must(api.audit.subjectReport(caller, bsn, { limit: 200, cursor }))
      events.push(...page.items)
      if (!page.nextCursor) break
      cursor = page.nextCursor
    }
    return events
  }
}
