import {
  auditRequest,
  decodeCursor,
  ProblemError,
  pageOf,
  pageQuerySchema,
  pageSchema,
  problemSchema,
} from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { getRegion, listRegions, putRegion, type StoredRegion } from '../db/regions.js'
import type { MatchDatabase } from '../db/schema.js'
import { regionDocumentSchema } from '../domain/region-document.js'
import { slugSchema } from '../domain/sectors.js'

const regionSchema = z
  .object({
    code: z.string(),
    version: z.number().int(),
    createdAt: z.date(),
    document: regionDocumentSchema,
  })
  .meta({ id: 'Region' })

const toRegion = (r: StoredRegion) => ({
  code: r.code,
  version: r.version,
  createdAt: r.createdAt,
  document: r.document,
})

export const regionRoutes: FastifyPluginAsyncZod<{ db: Kysely<MatchDatabase> }> = async (app, { db }) => {
  app.put(
    '/v1/regions/:code',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'putRegion',
        tags: ['regions'],
        summary: 'Store a new version of a region document (covenant rules)',
        params: z.object({ code: slugSchema }),
        body: regionDocumentSchema,
        response: { 200: regionSchema, 201: regionSchema, 400: problemSchema, 422: problemSchema },
      },
    },
    async (request, reply) => {
      const { region, created } = await db.transaction().execute(async (trx) => {
        const result = await putRegion(
          trx,
          request.params.code,
          request.body,
          request.user.sub,
          app.clock.now(),
        )
        await auditRequest(trx, request, 'region.write', {
          resource: { type: 'region', id: request.params.code },
        })
        return result
      })
      return reply.code(created ? 201 : 200).send(toRegion(region))
    },
  )

  app.get(
    '/v1/regions',
    {
      schema: {
        operationId: 'listRegions',
        tags: ['regions'],
        querystring: pageQuerySchema,
        response: { 200: pageSchema(regionSchema) },
      },
    },
    async (request) => {
      const after = decodeCursor(request.query.cursor, z.string())
      const rows = await listRegions(db, after, request.query.limit + 1)
      await db.transaction().execute((trx) => auditRequest(trx, request, 'region.list'))
      const page = pageOf(rows, request.query.limit, (r) => r.code)
      return { items: page.items.map(toRegion), nextCursor: page.nextCursor }
    },
  )

  app.get(
    '/v1/regions/:code',
    {
      schema: {
        operationId: 'getRegion',
        tags: ['regions'],
        params: z.object({ code: slugSchema }),
        querystring: z.object({ version: z.coerce.number().int().min(1).optional() }),
        response: { 200: regionSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const region = await getRegion(db, request.params.code, request.query.version)
      if (!region)
        throw new ProblemError(
          'not_found',
          `No region ${request.params.code}${request.query.version ? ` version ${request.query.version}` : ''}`,
        )
      await db
        .transaction()
        .execute((trx) =>
          auditRequest(trx, request, 'region.read', { resource: { type: 'region', id: region.code } }),
        )
      return toRegion(region)
    },
  )
}
