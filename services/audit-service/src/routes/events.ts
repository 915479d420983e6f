import {
  auditRequest,
  decodeCursor,
  encodeCursor,
  pageQuerySchema,
  pageSchema,
  problemSchema,
} from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { countEvents, listEvents } from '../db/events.js'
import { exportEvents } from '../db/export.js'
import type { AuditDatabase } from '../db/schema.js'
import { auditEventSchema, EXPORT_CONTENT_TYPES, toAuditEvent } from '../domain/event.js'
import { eventKeySchema, filterQueryShape, instantSchema, periodInOrder } from './schemas.js'

const LOG = { type: 'audit_log', id: null }

export const eventRoutes: FastifyPluginAsyncZod<{ db: Kysely<AuditDatabase> }> = async (app, { db }) => {
  app.get(
    '/v1/audit/events',
    {
      config: { roles: ['auditor'] },
      schema: {
        operationId: 'listAuditEvents',
        tags: ['audit'],
        summary:
          'Audit events, newest first, filtered by acting organisation, actor, action, outcome, period',
        querystring: z
          .strictObject({ ...pageQuerySchema.shape, ...filterQueryShape })
          .superRefine(periodInOrder),
        response: { 200: pageSchema(auditEventSchema), 400: problemSchema },
      },
    },
    async (request) => {
      const { cursor, limit, ...filters } = request.query
      const before = decodeCursor(cursor, eventKeySchema)
      const rows = await db.transaction().execute(async (trx) => {
        const found = await listEvents(trx, filters, before, limit + 1)
        await auditRequest(trx, request, 'audit.query', { resource: LOG })
        return found
      })
      const page = rows.slice(0, limit)
      const last = page.at(-1)
      return {
        items: page.map(toAuditEvent),
        nextCursor: rows.length > limit && last ? encodeCursor([last.occurredAtKey, last.id]) : null,
      }
    },
  )

  app.get(
    '/v1/audit/counts',
    {
      config: { roles: ['auditor'] },
      schema: {
        operationId: 'countAuditEvents',
        tags: ['audit'],
        summary: 'Numbers of events per acting organisation and action over a period',
        querystring: z
          .strictObject({
            from: instantSchema,
            to: instantSchema,
            organisation: filterQueryShape.organisation,
          })
          .superRefine(periodInOrder),
        response: {
          200: z.object({
            from: z.date(),
            to: z.date(),
            items: z.array(
              z.object({
                organisation: z
                  .string()
                  .nullable()
                  .describe('null: operator roles, which act for no organisation'),
                action: z.string(),
                total: z.number().int(),
                success: z.number().int(),
                denied: z.number().int(),
                error: z.number().int(),
              }),
            ),
          }),
          400: problemSchema,
        },
      },
    },
    async (request) => {
      const items = await db.transaction().execute(async (trx) => {
        const counts = await countEvents(trx, request.query)
        await auditRequest(trx, request, 'audit.counts', { resource: LOG })
        return counts
      })
      return { from: request.query.from, to: request.query.to, items }
    },
  )

  app.get(
    '/v1/audit/export',
    {
      config: { roles: ['auditor'] },
      schema: {
        operationId: 'exportAuditEvents',
        tags: ['audit'],
        summary: 'The audit events (filtered) in id order as NDJSON or CSV, streamed for a SIEM',
        querystring: z
          .strictObject({ format: z.enum(['ndjson', 'csv']).default('ndjson'), ...filterQueryShape })
          .superRefine(periodInOrder),
        response: {
          200: z
            .unknown()
            .describe('NDJSON: one AuditEvent per line; CSV: a header row, then one row per event'),
          400: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const { format, ...filters } = request.query
      // Recorded before the first byte: once streaming, the answer can no longer be taken back.
      await db.transaction().execute((trx) => auditRequest(trx, request, 'audit.export', { resource: LOG }))
      const stamp = app.clock.now().toISOString().replaceAll(':', '').slice(0, 15)
      return reply
        .type(EXPORT_CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename="audit-events-${stamp}.${format}"`)
        .header('cache-control', 'no-store')
        .send(exportEvents(db, filters, format, request.log))
    },
  )
}
