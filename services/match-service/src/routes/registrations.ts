import {
  actorOf,
  createdAtCursorSchema,
  decodeCursor,
  ProblemError,
  pageQuerySchema,
  pageSchema,
  problemSchema,
  ruleViolation,
} from '@verwijsindex/shared'
import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { MatchContext } from '../context.js'
import { readHousehold } from '../use-cases/read-household.js'
import { readRegistration, readRegistrations } from '../use-cases/read-registrations.js'
import { type Contact, register } from '../use-cases/register.js'
import { requestHistory } from '../use-cases/request-history.js'
import { updateRegistration } from '../use-cases/update-registration.js'
import { withdraw } from '../use-cases/withdraw.js'
import { householdSchema, registrationSchema } from '../views/schemas.js'
import { archivedSchema, contactInput, durationDaysInput, registrationInput } from './registration-schemas.js'

const idParams = z.object({ id: z.uuid() })

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
        summary: 'Register a child (melding)',
        description:
          'Records that your organisation is involved with a child: BSN (turned into a keyed subject key at once, never stored), birth date and kind. 201 with the new registration, or 200 with the unchanged existing one when your organisation already has an active registration on the child. When another organisation is active on the same child, the answer carries the match and its coordination.',
        tags: ['registrations'],
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
      const input = { ...rest, contact: contactFor(request, contact) }
      const { view, created } = await register(ctx, actorOf(request), request.organisation!, input)
      return reply.code(created ? 201 : 200).send(view)
    },
  )

  app.get(
    '/v1/registrations',
    {
      config: { roles },
      schema: {
        operationId: 'listRegistrations',
        summary: "List your organisation's registrations",
        description:
          "Your organisation's own registrations, newest first, optionally only active or ended ones.",
        tags: ['registrations'],
        querystring: pageQuerySchema.extend({ status: z.enum(['active', 'ended']).optional() }),
        response: { 200: pageSchema(registrationSchema) },
      },
    },
    async (request) => {
      const { limit, cursor, status } = request.query
      return readRegistrations(ctx, actorOf(request), request.organisation!, {
        status,
        after: decodeCursor(cursor, createdAtCursorSchema),
        limit,
      })
    },
  )

  app.get(
    '/v1/registrations/:id',
    {
      config: { roles },
      schema: {
        operationId: 'getRegistration',
        summary: 'Read one of your registrations',
        description: "One registration of your organisation; another organisation's answers 404.",
        tags: ['registrations'],
        params: idParams,
        response: { 200: registrationSchema, 404: problemSchema },
      },
    },
    async (request) => readRegistration(ctx, actorOf(request), request.organisation!, request.params.id),
  )

  app.patch(
    '/v1/registrations/:id',
    {
      config: { roles },
      schema: {
        operationId: 'updateRegistration',
        summary: 'Change contact or duration',
        description:
          'Changes the contact person or the duration of your active registration, within the legal maximum counted from its creation.',
        tags: ['registrations'],
        params: idParams,
        body: z
          .strictObject({
            contact: contactInput.optional(),
            durationDays: durationDaysInput
              .optional()
              .describe('The new duration in days, counted from the creation, within the legal maximum.'),
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
      return updateRegistration(ctx, actorOf(request), request.organisation!, request.params.id, request.body)
    },
  )

  app.post(
    '/v1/registrations/:id/history',
    {
      config: { roles, readOnly: true },
      schema: {
        operationId: 'requestHistory',
        summary: 'Archived registrations on the same child',
        description:
          'The archived (ended) registrations of other organisations on the same child, with their contact and period. The law requires a purpose, which is audited.',
        tags: ['registrations'],
        params: idParams,
        body: z.strictObject({
          purpose: z
            .enum(['assessment', 'coordination', 'other'])
            .describe('Why the history is relevant; recorded with the request.'),
        }),
        response: {
          200: z.object({
            items: z.array(archivedSchema).describe('The archived registrations, oldest first.'),
          }),
          400: problemSchema,
          404: problemSchema,
          409: problemSchema,
        },
      },
    },
    async (request) => ({
      items: await requestHistory(
        ctx,
        actorOf(request),
        request.organisation!,
        request.params.id,
        request.body.purpose,
      ),
    }),
  )

  app.get(
    '/v1/registrations/:id/household',
    {
      config: { roles },
      schema: {
        operationId: 'getHousehold',
        summary: 'Parties involved with the household',
        description:
          "Other organisations involved with other children of this registration's household (same hashed address). The links show one working day after the registration was made, or at once while its child has an open match; the organisations already involved are told of a new registration at once. An address on the register of excluded addresses never links.",
        tags: ['registrations'],
        params: idParams,
        response: {
          200: z.object({
            households: z
              .array(householdSchema)
              .describe('Other children of the household and who is involved; empty until the links show.'),
            linksShowFrom: z
              .date()
              .nullable()
              .describe(
                "When this registration's household links start to show: one working day after it was made (at once while its child has an open match). Null when it carries no household address.",
              ),
          }),
          404: problemSchema,
        },
      },
    },
    async (request) => readHousehold(ctx, actorOf(request), request.organisation!, request.params.id),
  )

  app.post(
    '/v1/registrations/:id/withdraw',
    {
      config: { roles },
      schema: {
        operationId: 'withdrawRegistration',
        summary: 'Withdraw a registration',
        description:
          'Ends your registration with a reason code; a match with fewer than two active organisations closes.',
        tags: ['registrations'],
        params: idParams,
        body: z.strictObject({
          reason: z
            .enum(['resolved', 'unjustified', 'transferred', 'error'])
            .describe('`resolved`: the risk is gone; `unjustified`; `transferred`: care handed on; `error`.'),
        }),
        response: { 200: registrationSchema, 400: problemSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request) => {
      if (!request.organisation) throw new ProblemError('forbidden')
      return withdraw(ctx, actorOf(request), request.organisation, request.params.id, request.body.reason)
    },
  )
}
