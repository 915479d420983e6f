import { actorOf, bsnSchema, pageQuerySchema, pageSchema, problemSchema } from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { AuditDatabase } from '../db/schema.js'
import { auditEventSchema } from '../domain/event.js'
import { reportSubjectAccess } from '../use-cases/subject-report.js'
import { periodInOrder, periodShape } from './schemas.js'

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
        summary: "Accesses to a child's data",
        description:
          "Every access to a child's data, reads and writes, oldest first (NEN 7513 client view): who, from which organisation, what and when. The BSN only in the body.",
        tags: ['audit'],
        querystring: z.strictObject(pageQuerySchema.shape),
        body: z.strictObject({ bsn: bsnSchema, ...periodShape }).superRefine(periodInOrder),
        response: { 200: pageSchema(accessSchema), 400: problemSchema },
      },
    },
    async (request) =>
      reportSubjectAccess(db, actorOf(request), app.config.subjectKeySecret, request.body, request.query),
  )
}
