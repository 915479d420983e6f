import {
  actorOf,
  decodeCursor,
  pageOf,
  pageQuerySchema,
  pageSchema,
  problemSchema,
} from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { MatchContext } from '../context.js'
import type { StoredRegion } from '../db/regions.js'
import { regionDocumentSchema } from '../domain/region-document.js'
import { slugSchema } from '../domain/sectors.js'
import { putRegion, readRegion, readRegions } from '../use-cases/regions.js'

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

export const regionRoutes: FastifyPluginAsyncZod<{ ctx: MatchContext }> = async (app, { ctx }) => {
  app.put(
    '/v1/regions/:code',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'putRegion',
        summary: 'Store a region document version',
        description:
          'Stores a new version of a region document (the covenant: municipalities, durations, coordination rules, escalation). 201 for the first version, 200 after.',
        tags: ['regions'],
        params: z.object({ code: slugSchema }),
        body: regionDocumentSchema,
        response: { 200: regionSchema, 201: regionSchema, 400: problemSchema, 422: problemSchema },
      },
    },
    async (request, reply) => {
      const { region, created } = await putRegion(ctx, actorOf(request), request.params.code, request.body)
      return reply.code(created ? 201 : 200).send(toRegion(region))
    },
  )

  app.get(
    '/v1/regions',
    {
      schema: {
        operationId: 'listRegions',
        summary: 'List regions',
        description: 'The current version of every region, by code.',
        tags: ['regions'],
        querystring: pageQuerySchema,
        response: { 200: pageSchema(regionSchema) },
      },
    },
    async (request) => {
      const after = decodeCursor(request.query.cursor, z.string())
      const rows = await readRegions(ctx, actorOf(request), after, request.query.limit + 1)
      const page = pageOf(rows, request.query.limit, (r) => r.code)
      return { items: page.items.map(toRegion), nextCursor: page.nextCursor }
    },
  )

  app.get(
    '/v1/regions/:code',
    {
      schema: {
        operationId: 'getRegion',
        summary: 'Read a region',
        description: 'The current version of a region, or the version asked for.',
        tags: ['regions'],
        params: z.object({ code: slugSchema }),
        querystring: z.object({ version: z.coerce.number().int().min(1).optional() }),
        response: { 200: regionSchema, 404: problemSchema },
      },
    },
    async (request) =>
      toRegion(await readRegion(ctx, actorOf(request), request.params.code, request.query.version)),
  )
}
