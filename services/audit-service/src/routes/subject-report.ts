import {
  auditRequest,
  decodeCursor,
  encodeCursor,
  isValidBsn,
  pageQuerySchema,
  pageSchema,
  problemSchema,
  subjectKey,
} from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { listSubjectEvents } from '../db/events.js'
import type { AuditDatabase } from '../db/schema.js'
import { auditEventSchema, toAuditEvent } from '../domain/event.js'
import { eventKeySchema, periodInOrder, periodShape } from './schemas.js'

/** One access to the child's data: who (person, organisation, roles), what, when, and the outcome. */
const accessSchema = auditEventSchema
  .pick({
    id: true,
    occurredAt: true,
    service: true,
    action: true,
    outcome: true,
    actor: true,
    resource: true,
    purpose: true,
  })
  .meta({ id: 'SubjectAccess' })

export const subjectReportRoutes: FastifyPluginAsyncZod<{ db: Kysely<AuditDatabase> }> = async (
  app,
  { db },
) => {
  app.post(
    '/v1/audit/subject-report',
    {
      config: { roles: ['auditor', 'privacy_officer'] },
      schema: {
        operationId: 'subjectAccessReport',
        tags: ['audit'],
        summary:
          "Every access to a child's data, oldest first (NEN 7513 client view); the BSN only in the body",
        querystring: z.strictObject(pageQuerySchema.shape),
        body: z
          .strictObject({
            bsn: z.string().refine(isValidBsn, 'must be a valid BSN: 9 digits that pass the elfproef'),
            ...periodShape,
          })
          .superRefine(periodInOrder),
        response: { 200: pageSchema(accessSchema), 400: problemSchema },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query
      const after = decodeCursor(cursor, eventKeySchema)
      // The BSN goes no further than this line: everything below works with the keyed pseudonym.
      const key = subjectKey(request.body.bsn, app.config.subjectKeySecret)
      const period = { from: request.body.from, to: request.body.to }
      const rows = await db.transaction().execute(async (trx) => {
        const found = await listSubjectEvents(trx, key, period, after, limit + 1)
        // Reading the log about a child is itself an access to the child's data, and shows in later reports.
        await auditRequest(trx, request, 'audit.subject_report', {
          subjectKey: key,
          resource: { type: 'audit_log', id: null },
        })
        return found
      })
      const page = rows.slice(0, limit)
      const last = page.at(-1)
      return {
        items: page.map((row) => {
          const { id, occurredAt, service, action, outcome, actor, resource, purpose } = toAuditEvent(row)
          return { id, occurredAt, service, action, outcome, actor, resource, purpose }
        }),
        nextCursor: rows.length > limit && last ? encodeCursor([last.occurredAtKey, last.id]) : null,
      }
    },
  )
}
