import { actorOf, bsnSchema, problemSchema } from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { MatchContext } from '../context.js'
import { eraseSubject } from '../use-cases/erase-subject.js'
import { lookupSubject } from '../use-cases/lookup-subject.js'
import { heldRegistrationSchema, matchSchema } from '../views/schemas.js'

const lookupSchema = z
  .object({
    held: z.boolean(),
    birthDate: z.iso.date().nullable(),
    /** `household`: whether a (hashed) household address is held; the address itself is not kept. */
    registrations: z.array(heldRegistrationSchema.extend({ household: z.boolean() })),
    matches: z.array(matchSchema),
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
        body: z.strictObject({ bsn: bsnSchema }),
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
        body: z.strictObject({ bsn: bsnSchema, reason: z.enum(['objection', 'deceased', 'error']) }),
        response: {
          200: z.object({ erased: z.object({ registrations: z.number().int(), matches: z.number().int() }) }),
          400: problemSchema,
        },
      },
    },
    async (request) => ({
      erased: await eraseSubject(ctx, actorOf(request), request.body.bsn, request.body.reason),
    }),
  )
}
