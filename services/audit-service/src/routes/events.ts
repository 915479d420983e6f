import { actorOf, ProblemError, pageQuerySchema, pageSchema, problemSchema } from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { AuditDatabase } from '../db/schema.js'
import { auditEventSchema, EXPORT_CONTENT_TYPES, exportFileName } from '../domain/event.js'
import { exportAuditEvents } from '../use-cases/export-events.js'
import { countAuditEvents, searchEvents } from '../use-cases/query-events.js'
import { filterQueryShape, instantSchema, periodInOrder } from './schemas.js'

export const eventRoutes: FastifyPluginAsyncZod<{ db: Kysely<AuditDatabase> }> = async (app, { db }) => {
  // Exports streaming now, per caller (token subject): one auditor cannot hold every connection.
  const streaming = new Map<string, number>()
  app.get(
    '/v1/audit/events',
    {
      config: { roles: ['auditor', 'org_auditor'] },
      schema: {
        operationId: 'listAuditEvents',
        summary: 'List audit events',
        description:
          "Audit events, newest first, filtered by acting organisation, actor, action, outcome and period. An organisation's own auditor (org_auditor) sees its own staff's events only: the organisation filter is its own, any other answers 404.",
        tags: ['audit'],
        querystring: z
          .strictObject({ ...pageQuerySchema.shape, ...filterQueryShape })
          .superRefine(periodInOrder),
        response: { 200: pageSchema(auditEventSchema), 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const { cursor, limit, ...filters } = request.query
      return searchEvents(db, actorOf(request), filters, { cursor, limit })
    },
  )

  app.get(
    '/v1/audit/counts',
    {
      config: { roles: ['auditor'] },
      schema: {
        operationId: 'countAuditEvents',
        summary: 'Count audit events',
        description: 'Numbers of events per acting organisation and action over a period.',
        tags: ['audit'],
        querystring: z
          .strictObject({
            from: instantSchema,
            to: instantSchema,
            organisation: filterQueryShape.organisation,
          })
          .superRefine(periodInOrder),
        response: {
          200: z.object({
            from: z.date().describe('The period counted, from (inclusive).'),
            to: z.date().describe('The period counted, to (exclusive).'),
            items: z
              .array(
                z
                  .object({
                    organisation: z
                      .string()
                      .nullable()
                      .describe(
                        'The acting organisation; null: operator roles, which act for no organisation.',
                      ),
                    action: z.string().describe('The action.').meta({ example: 'match.read' }),
                    total: z.number().int().describe('Events in all.'),
                    success: z.number().int().describe('Events with outcome success.'),
                    denied: z.number().int().describe('Events with outcome denied.'),
                    error: z.number().int().describe('Events with outcome error.'),
                  })
                  .describe('The counts of one organisation and action.'),
              )
              .describe('Per acting organisation and action.'),
          }),
          400: problemSchema,
        },
      },
    },
    async (request) => {
      const items = await countAuditEvents(db, actorOf(request), request.query)
      return { from: request.query.from, to: request.query.to, items }
    },
  )

  app.get(
    '/v1/audit/export',
    {
      // A whole trail streams for minutes: the request deadline would cut it off mid-stream. The export's
      // own statement timeout (AUDIT_EXPORT_STATEMENT_TIMEOUT_MS) bounds its database work instead.
      config: { roles: ['auditor', 'org_auditor'], longRunning: true },
      schema: {
        operationId: 'exportAuditEvents',
        summary: 'Export audit events',
        description:
          "The audit events (filtered) in id order as NDJSON or CSV, streamed for a SIEM. For an org_auditor only its own organisation's, as in listAuditEvents.",
        tags: ['audit'],
        querystring: z
          .strictObject({ format: z.enum(['ndjson', 'csv']).default('ndjson'), ...filterQueryShape })
          .superRefine(periodInOrder),
        response: {
          200: z
            .unknown()
            .describe('NDJSON: one AuditEvent per line; CSV: a header row, then one row per event'),
          400: problemSchema,
          429: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const { format, ...filters } = request.query
      const actor = actorOf(request)
      const caller = actor.id ?? ''
      const running = streaming.get(caller) ?? 0
      if (running >= app.config.auditExportConcurrency) {
        reply.header('retry-after', '60')
        throw new ProblemError(
          'rate_limited',
          `You already have ${running} export(s) streaming (AUDIT_EXPORT_CONCURRENCY); wait for one to finish.`,
        )
      }
      streaming.set(caller, running + 1)
      const release = () => {
        const left = (streaming.get(caller) ?? 1) - 1
        if (left > 0) streaming.set(caller, left)
        else streaming.delete(caller)
      }
      let stream: Awaited<ReturnType<typeof exportAuditEvents>>
      try {
        stream = await exportAuditEvents(db, actor, filters, format, {
          log: request.log,
          timeoutMs: app.config.database.exportStatementTimeoutMs,
        })
      } catch (error) {
        release()
        throw error
      }
      stream.once('close', release)
      return reply
        .type(EXPORT_CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename="${exportFileName(actor.at, format)}"`)
        .header('cache-control', 'no-store')
        .send(stream)
    },
  )
}
