import { actorOf, bsnSchema, problemSchema } from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { MatchContext } from '../context.js'
import { eraseSubject } from '../use-cases/erase-subject.js'
import { lookupSubject } from '../use-cases/lookup-subject.js'
import { heldRegistrationSchema, matchSchema } from '../views/schemas.js'

const lookupSchema = z
  .object({
    held: z.boolean().describe('Whether the index holds anything on the child.'),
    birthDate: z.iso.date().nullable().describe('The birth date held; null when nothing is held.'),
    registrations: z
      .array(
        heldRegistrationSchema.extend({
          household: z
            .boolean()
            .describe('Whether a (hashed) household address is held; the address itself is not kept.'),
        }),
      )
      .describe('Every registration on the child, active and ended (archived).'),
    matches: z.array(matchSchema).describe('Every match the child is or was part of.'),
  })
  .meta({ id: 'SubjectLookup' })

/**
 * The privacy officer's view for a parent's or young person's request (AVG art. 15-17): everything the
 * index holds on the child, and erasure on objection or death. Both are audited with the officer as actor.
 */
export const subjectRoutes: FastifyPluginAsyncZod<{ ctx: MatchContext }> = async (app, { ctx }) => {
  app.post(
    '/v1/subjects/lookup',
    {
      config: { roles: ['privacy_officer'], readOnly: true },
      schema: {
        operationId: 'lookupSubject',
        summary: 'Everything held on a child',
        description:
          "The privacy officer's view for a request under AVG art. 15: every active and archived registration and match on the child. The BSN travels only in the body.",
        tags: ['subjects'],
        body: z.strictObject({ bsn: bsnSchema.describe("The child's BSN (travels only in the body).") }),
        response: { 200: lookupSchema, 400: problemSchema },
      },
    },
    async (request) => lookupSubject(ctx, actorOf(request), request.body.bsn),
  )

  app.post(
    '/v1/subjects/erase',
    {
      config: { roles: ['privacy_officer'] },
      schema: {
        operationId: 'eraseSubject',
        summary: 'Erase a child',
        description:
          'Erases everything about the child (objection, death, error) except the audit trail, which holds only the subject key.',
        tags: ['subjects'],
        body: z.strictObject({
          bsn: bsnSchema.describe("The child's BSN (travels only in the body)."),
          reason: z
            .enum(['objection', 'deceased', 'error'])
            .describe('`objection` (AVG art. 21), `deceased`, or `error` (registered by mistake).'),
        }),
        response: {
          200: z.object({
            erased: z
              .object({
                registrations: z.number().int().describe('Registrations erased.'),
                matches: z.number().int().describe('Matches erased.'),
              })
              .describe('What was erased.'),
          }),
          400: problemSchema,
        },
      },
    },
    async (request) => ({
      erased: await eraseSubject(ctx, actorOf(request), request.body.bsn, request.body.reason),
    }),
  )
}
