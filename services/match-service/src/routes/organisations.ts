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
import type { Organisation } from '../db/schema.js'
import { defaultMayCoordinate, sectorSchema, slugSchema } from '../domain/sectors.js'
import {
  createOrganisation,
  readOrganisation,
  readOrganisations,
  updateOrganisation,
} from '../use-cases/organisations.js'

export const organisationSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    sector: sectorSchema,
    region: z.string(),
    email: z.string(),
    mayCoordinate: z.boolean(),
    active: z.boolean(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: 'Organisation' })

export const toOrganisation = (o: Organisation) => ({
  id: o.id,
  name: o.name,
  sector: sectorSchema.parse(o.sector),
  region: o.regionCode,
  email: o.email,
  mayCoordinate: o.mayCoordinate,
  active: o.active,
  createdAt: o.createdAt,
  updatedAt: o.updatedAt,
})

const fields = {
  name: z.string().trim().min(1).max(200),
  sector: sectorSchema,
  region: slugSchema,
  /** The organisation's functional mailbox, told of every match alongside the professional. */
  email: z.email(),
  mayCoordinate: z.boolean(),
  active: z.boolean(),
}

export const organisationRoutes: FastifyPluginAsyncZod<{ ctx: MatchContext }> = async (app, { ctx }) => {
  app.post(
    '/v1/organisations',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'createOrganisation',
        summary: 'Add an organisation',
        description:
          'Adds an organisation (admin): its slug id, name, sector, region and functional mailbox.',
        tags: ['organisations'],
        body: z.strictObject({
          id: slugSchema,
          ...fields,
          mayCoordinate: fields.mayCoordinate.optional(),
          active: fields.active.default(true),
        }),
        response: { 201: organisationSchema, 400: problemSchema, 409: problemSchema, 422: problemSchema },
      },
    },
    async (request, reply) => {
      const body = request.body
      const organisation = await createOrganisation(ctx, actorOf(request), {
        ...body,
        mayCoordinate: body.mayCoordinate ?? defaultMayCoordinate(body.sector),
      })
      return reply.code(201).send(toOrganisation(organisation))
    },
  )

  app.patch(
    '/v1/organisations/:id',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'updateOrganisation',
        summary: 'Change an organisation',
        description:
          'Changes an organisation (admin). Deactivating ends its active registrations, re-designates its coordinations and stops its webhooks.',
        tags: ['organisations'],
        params: z.object({ id: slugSchema }),
        body: z.strictObject({
          name: fields.name.optional(),
          sector: fields.sector.optional(),
          region: fields.region.optional(),
          email: fields.email.optional(),
          mayCoordinate: fields.mayCoordinate.optional(),
          active: fields.active.optional(),
        }),
        response: { 200: organisationSchema, 400: problemSchema, 404: problemSchema, 422: problemSchema },
      },
    },
    async (request) =>
      toOrganisation(await updateOrganisation(ctx, actorOf(request), request.params.id, request.body)),
  )

  app.get(
    '/v1/organisations',
    {
      schema: {
        operationId: 'listOrganisations',
        summary: 'List organisations',
        description: 'Every organisation the index knows, by id.',
        tags: ['organisations'],
        querystring: pageQuerySchema.extend({
          region: slugSchema.optional(),
          sector: sectorSchema.optional(),
        }),
        response: { 200: pageSchema(organisationSchema) },
      },
    },
    async (request) => {
      const { limit, cursor, region, sector } = request.query
      const after = decodeCursor(cursor, z.string())
      const rows = await readOrganisations(ctx, actorOf(request), { region, sector, after }, limit + 1)
      const page = pageOf(rows, limit, (o) => o.id)
      return { items: page.items.map(toOrganisation), nextCursor: page.nextCursor }
    },
  )

  app.get(
    '/v1/organisations/:id',
    {
      schema: {
        operationId: 'getOrganisation',
        summary: 'Read an organisation',
        description: 'One organisation by its id.',
        tags: ['organisations'],
        params: z.object({ id: slugSchema }),
        response: { 200: organisationSchema, 404: problemSchema },
      },
    },
    async (request) => toOrganisation(await readOrganisation(ctx, actorOf(request), request.params.id)),
  )
}
