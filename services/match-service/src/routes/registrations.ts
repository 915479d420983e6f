import {
  auditRequest,
  decodeCursor,
  isValidBsn,
  ProblemError,
  pageOf,
  pageQuerySchema,
  pageSchema,
  problemSchema,
  ruleViolation,
} from '@verwijsindex/shared'
import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import {
  type Contact,
  type MatchContext,
  ownRegistration,
  register,
  updateRegistration,
  viewOf,
  withdraw,
} from '../commands.js'
import { listRegistrations } from '../db/registrations.js'
import {
  contactSchema,
  householdSchema,
  householdsFor,
  organisationRefSchema,
  registrationSchema,
} from '../views.js'

const archivedSchema = z.object({
  organisation: organisationRefSchema,
  contact: contactSchema,
  kind: z.enum(['concern', 'involvement']),
  period: z.object({ from: z.date(), to: z.date() }),
})

const contactInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()-]{6,20}$/, 'must be a phone number'),
})

/**
 * A registration holds only what the law allows (Jeugdwet 7.1.4): no reason, notes or any free text.
 * The schema is strict, so such a field is refused by name.
 */
export const registrationInput = z.strictObject({
  bsn: z.string().refine(isValidBsn, 'must be a valid BSN: 9 digits passing the elfproef'),
  birthDate: z.iso.date(),
  kind: z.enum(['concern', 'involvement']),
  durationDays: z.number().int().min(1).max(730).optional(),
  /** The registrant's own reference (e.g. a pupil or case number): a code, not a place for text. */
  externalReference: z
    .string()
    .regex(/^[A-Za-z0-9._:/-]{1,64}$/, 'must be a code of 1 to 64 letters, digits or . _ : / -')
    .optional(),
  municipality: z
    .string()
    .regex(/^\d{4}$/, 'must be a 4-digit CBS municipality code')
    .optional(),
  household: z
    .strictObject({
      postcode: z.string().regex(/^\d{4} ?[A-Za-z]{2}$/, 'must be a Dutch postcode'),
      houseNumber: z
        .string()
        .regex(/^\d{1,5}( ?[A-Za-z0-9-]{1,6})?$/, 'must be a house number with optional addition'),
    })
    .optional(),
  contact: contactInput.optional(),
})

const idParams = z.object({ id: z.uuid() })
const cursorKey = z.object({ createdAt: z.string(), id: z.string() })

/** A professional's contact comes from the token unless given; a system token must name the professional. */
function contactFor(request: FastifyRequest, given: Contact | undefined): Contact {
  if (given) {
    if (request.user.roles.includes('system')) request.onBehalfOf = given.email
    return given
  }
  if (request.user.roles.includes('system')) {
    throw ruleViolation('/contact', 'a system token must name the professional it acts for in contact')
  }
  const { name, email, phone } = request.user
  if (!name || !email || !phone) {
    throw ruleViolation('/contact', 'the token carries no name, email and phone; give contact in the body')
  }
  return { name, email, phone }
}

export const registrationRoutes: FastifyPluginAsyncZod<{ ctx: MatchContext }> = async (app, { ctx }) => {
  const roles = ['professional', 'system'] as const

  app.post(
    '/v1/registrations',
    {
      config: { roles },
      schema: {
        operationId: 'createRegistration',
        tags: ['registrations'],
        summary: 'Register that your organisation is involved with a child (melding)',
        body: registrationInput,
        response: {
          200: registrationSchema,
          201: registrationSchema,
          400: problemSchema,
          422: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const { contact, ...rest } = request.body
      const { view, created } = await register(ctx, request, request.organisation!, {
        ...rest,
        contact: contactFor(request, contact),
      })
      return reply.code(created ? 201 : 200).send(view)
    },
  )

  app.get(
    '/v1/registrations',
    {
      config: { roles },
      schema: {
        operationId: 'listRegistrations',
        tags: ['registrations'],
        querystring: pageQuerySchema.extend({ status: z.enum(['active', 'ended']).optional() }),
        response: { 200: pageSchema(registrationSchema) },
      },
    },
    async (request) => {
      const { limit, cursor, status } = request.query
      const organisation = request.organisation!
      const rows = await listRegistrations(
        ctx.db,
        organisation.id,
        { status, after: decodeCursor(cursor, cursorKey) },
        limit + 1,
      )
      const page = pageOf(rows, limit, (r) => ({ createdAt: r.createdAt.toISOString(), id: r.id }))
      const items = await Promise.all(page.items.map((r) => viewOf(ctx.db, r, organisation)))
      await ctx.db.transaction().execute(async (trx) => {
        for (const r of page.items) {
          await auditRequest(trx, request, 'registration.read', {
            subjectKey: r.subjectKey,
            resource: { type: 'registration', id: r.id },
          })
        }
        if (page.items.length === 0) await auditRequest(trx, request, 'registration.list')
      })
      return { items, nextCursor: page.nextCursor }
    },
  )

  app.get(
    '/v1/registrations/:id',
    {
      config: { roles },
      schema: {
        operationId: 'getRegistration',
        tags: ['registrations'],
        params: idParams,
        response: { 200: registrationSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const registration = await ownRegistration(ctx, request, request.params.id, request.organisation!)
      await ctx.db.transaction().execute((trx) =>
        auditRequest(trx, request, 'registration.read', {
          subjectKey: registration.subjectKey,
          resource: { type: 'registration', id: registration.id },
        }),
      )
      return viewOf(ctx.db, registration, request.organisation!)
    },
  )

  app.patch(
    '/v1/registrations/:id',
    {
      config: { roles },
      schema: {
        operationId: 'updateRegistration',
        tags: ['registrations'],
        params: idParams,
        body: z
          .strictObject({
            contact: contactInput.optional(),
            durationDays: z.number().int().min(1).max(730).optional(),
          })
          .refine(
            (b) => b.contact !== undefined || b.durationDays !== undefined,
            'give contact, durationDays or both',
          ),
        response: {
          200: registrationSchema,
          400: problemSchema,
          404: problemSchema,
          409: problemSchema,
          422: problemSchema,
        },
      },
    },
    async (request) => {
      if (request.body.contact && request.user.roles.includes('system'))
        request.onBehalfOf = request.body.contact.email
      return updateRegistration(ctx, request, request.organisation!, request.params.id, request.body)
    },
  )

  app.post(
    '/v1/registrations/:id/history',
    {
      config: { roles, readOnly: true },
      schema: {
        operationId: 'requestHistory',
        tags: ['registrations'],
        summary:
          'The archived registrations of other organisations on the same child (the law requires a purpose)',
        params: idParams,
        body: z.strictObject({ purpose: z.enum(['assessment', 'coordination', 'other']) }),
        response: {
          200: z.object({ items: z.array(archivedSchema) }),
          400: problemSchema,
          404: problemSchema,
          409: problemSchema,
        },
      },
    },
    async (request) => {
      const organisation = request.organisation!
      const registration = await ownRegistration(ctx, request, request.params.id, organisation)
      if (registration.status !== 'active') {
        throw new ProblemError('conflict', 'History can be requested only on an active registration')
      }
      return ctx.db.transaction().execute(async (trx) => {
        const archived = await trx
          .selectFrom('match.registrations as r')
          .innerJoin('match.organisations as o', 'o.id', 'r.organisationId')
          .select([
            'o.id',
            'o.name',
            'o.sector',
            'r.contactName',
            'r.contactEmail',
            'r.contactPhone',
            'r.kind',
            'r.createdAt',
            'r.endedAt',
          ])
          .where('r.subjectKey', '=', registration.subjectKey)
          .where('r.status', '=', 'ended')
          .where('r.organisationId', '!=', organisation.id)
          .orderBy('r.createdAt')
          .execute()
        await auditRequest(trx, request, 'registration.history', {
          subjectKey: registration.subjectKey,
          resource: { type: 'registration', id: registration.id },
          purpose: request.body.purpose,
        })
        return {
          items: archived.map((a) => ({
            organisation: { id: a.id, name: a.name, sector: a.sector },
            contact: { name: a.contactName, email: a.contactEmail, phone: a.contactPhone },
            kind: a.kind,
            period: { from: a.createdAt, to: a.endedAt as Date },
          })),
        }
      })
    },
  )

  app.get(
    '/v1/registrations/:id/household',
    {
      config: { roles },
      schema: {
        operationId: 'getHousehold',
        tags: ['registrations'],
        summary: "Other organisations involved with other children of this registration's household",
        params: idParams,
        response: { 200: z.object({ households: z.array(householdSchema) }), 404: problemSchema },
      },
    },
    async (request) => {
      const organisation = request.organisation!
      const registration = await ownRegistration(ctx, request, request.params.id, organisation)
      const households = await householdsFor(ctx.db, registration.subjectKey, organisation.id)
      await ctx.db.transaction().execute((trx) =>
        auditRequest(trx, request, 'household.read', {
          subjectKey: registration.subjectKey,
          resource: { type: 'registration', id: registration.id },
        }),
      )
      return { households }
    },
  )

  app.post(
    '/v1/registrations/:id/withdraw',
    {
      config: { roles },
      schema: {
        operationId: 'withdrawRegistration',
        tags: ['registrations'],
        params: idParams,
        body: z.strictObject({ reason: z.enum(['resolved', 'unjustified', 'transferred', 'error']) }),
        response: { 200: registrationSchema, 400: problemSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request) => {
      if (!request.organisation) throw new ProblemError('forbidden')
      return withdraw(ctx, request, request.organisation, request.params.id, request.body.reason)
    },
  )
}
