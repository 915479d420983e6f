import {
  actorOf,
  createdAtCursorSchema,
  decodeCursor,
  pageOf,
  pageQuerySchema,
  pageSchema,
  problemSchema,
} from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { MatchContext } from '../context.js'
import type { ExcludedAddress } from '../db/schema.js'
import { excludeAddress, includeAddress, readExcludedAddresses } from '../use-cases/excluded-addresses.js'
import { addressSchema } from './address-schema.js'

const excludedAddressSchema = z
  .object({
    hash: z
      .string()
      .describe(
        'The keyed hash (HMAC-SHA-256 with SUBJECT_KEY_SECRET) of the normalised address: all the index keeps of it.',
      )
      .meta({ example: '3f1c9b0e5d7a2c4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e' }),
    addedAt: z.date().describe('When it was added to the register.'),
  })
  .meta({ id: 'ExcludedAddress' })

const toExcludedAddress = (a: ExcludedAddress) => ({ hash: a.householdKey, addedAt: a.addedAt })

/** The cursor of the register, newest first: (addedAt, hash) in createdAt/id's places. */
const cursorSchema = createdAtCursorSchema.extend({ id: z.string().regex(/^[0-9a-f]{64}$/) })

const body = addressSchema.describe(
  'The address: the index hashes it as it hashes household addresses and keeps only the hash.',
)

export const excludedAddressRoutes: FastifyPluginAsyncZod<{ ctx: MatchContext }> = async (app, { ctx }) => {
  app.put(
    '/v1/excluded-addresses',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'excludeAddress',
        summary: 'Add an excluded address',
        description:
          'Adds an address to the register of excluded addresses (register uitgesloten adressen: institutions, shelters), where no household links form and links already made stop showing. Idempotent: 201 when added, 200 with the same entry when it was there already.',
        tags: ['excluded-addresses'],
        body,
        response: { 200: excludedAddressSchema, 201: excludedAddressSchema, 400: problemSchema },
      },
    },
    async (request, reply) => {
      const { address, created } = await excludeAddress(ctx, actorOf(request), request.body)
      return reply.code(created ? 201 : 200).send(toExcludedAddress(address))
    },
  )

  app.delete(
    '/v1/excluded-addresses',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'includeAddress',
        summary: 'Remove an excluded address',
        description:
          'Takes an address off the register of excluded addresses: its household links show again. The address is given in the body, since only its hash is kept. 404 when it is not on the register.',
        tags: ['excluded-addresses'],
        body,
        response: { 204: z.null(), 400: problemSchema, 404: problemSchema },
      },
    },
    async (request, reply) => {
      await includeAddress(ctx, actorOf(request), request.body)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/v1/excluded-addresses',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'listExcludedAddresses',
        summary: 'List the excluded addresses',
        description:
          'The register of excluded addresses, newest first: each as its keyed hash and when it was added (the addresses themselves are not kept).',
        tags: ['excluded-addresses'],
        querystring: pageQuerySchema,
        response: { 200: pageSchema(excludedAddressSchema), 400: problemSchema },
      },
    },
    async (request) => {
      const after = decodeCursor(request.query.cursor, cursorSchema)
      const rows = await readExcludedAddresses(ctx, actorOf(request), after, request.query.limit + 1)
      const page = pageOf(rows, request.query.limit, (a) => ({
        createdAt: a.addedAt.toISOString(),
        id: a.householdKey,
      }))
      return { items: page.items.map(toExcludedAddress), nextCursor: page.nextCursor }
    },
  )
}
