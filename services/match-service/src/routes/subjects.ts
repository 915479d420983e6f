import { auditRequest, isValidBsn, problemSchema, subjectKey } from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { MatchContext } from '../commands.js'
import { lockSubject } from '../db/registrations.js'
import { endAndDestroySubject } from '../lifecycle.js'
import { heldRegistrationSchema, matchSchema, toHeldRegistration, toMatchView } from '../views.js'

const bsnField = z.string().refine(isValidBsn, 'must be a valid BSN: 9 digits passing the elfproef')

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
        tags: ['subjects'],
        body: z.strictObject({ bsn: bsnField }),
        response: { 200: lookupSchema, 400: problemSchema },
      },
    },
    async (request) => {
      const key = subjectKey(request.body.bsn, ctx.subjectKeySecret)
      return ctx.db.transaction().execute(async (trx) => {
        const subject = await trx
          .selectFrom('match.subjects')
          .select('birthDate')
          .where('subjectKey', '=', key)
          .executeTakeFirst()
        const registrations = await trx
          .selectFrom('match.registrations as r')
          .innerJoin('match.organisations as o', 'o.id', 'r.organisationId')
          .selectAll('r')
          .select(['o.name as organisationName', 'o.sector as organisationSector'])
          .where('r.subjectKey', '=', key)
          .orderBy('r.createdAt')
          .execute()
        const matches = await trx
          .selectFrom('match.matches')
          .selectAll()
          .where('subjectKey', '=', key)
          .orderBy('createdAt')
          .execute()
        await auditRequest(trx, request, 'subject.lookup', {
          subjectKey: key,
          resource: { type: 'subject', id: null },
        })
        return {
          held: Boolean(subject),
          birthDate: subject?.birthDate ?? null,
          registrations: registrations.map((r) => ({
            ...toHeldRegistration(r, {
              id: r.organisationId,
              name: r.organisationName,
              sector: r.organisationSector,
            }),
            household: r.householdKey !== null,
          })),
          matches: await Promise.all(matches.map((m) => toMatchView(trx, m, ''))),
        }
      })
    },
  )

  app.post(
    '/v1/subjects/erase',
    {
      config: { roles: ['privacy_officer'] },
      schema: {
        operationId: 'eraseSubject',
        tags: ['subjects'],
        body: z.strictObject({ bsn: bsnField, reason: z.enum(['objection', 'deceased', 'error']) }),
        response: {
          200: z.object({ erased: z.object({ registrations: z.number().int(), matches: z.number().int() }) }),
          400: problemSchema,
        },
      },
    },
    async (request) => {
      const key = subjectKey(request.body.bsn, ctx.subjectKeySecret)
      const now = ctx.clock.now()
      return ctx.db.transaction().execute(async (trx) => {
        const exists = await trx
          .selectFrom('match.subjects')
          .select('birthDate')
          .where('subjectKey', '=', key)
          .executeTakeFirst()
        let counts = { registrations: 0, matches: 0 }
        if (exists) {
          await lockSubject(trx, key, exists.birthDate, now)
          const [registrations, matches] = await Promise.all([
            trx
              .selectFrom('match.registrations')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('subjectKey', '=', key)
              .executeTakeFirstOrThrow(),
            trx
              .selectFrom('match.matches')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('subjectKey', '=', key)
              .executeTakeFirstOrThrow(),
          ])
          counts = { registrations: Number(registrations.n), matches: Number(matches.n) }
          await endAndDestroySubject(ctx, trx, key, 'erased', now)
        }
        await auditRequest(trx, request, 'subject.erase', {
          subjectKey: key,
          resource: { type: 'subject', id: null },
          purpose: request.body.reason,
        })
        return { erased: counts }
      })
    },
  )
}
