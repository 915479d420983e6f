import {
  actorOf,
  bsnSchema,
  containsBsn,
  createdAtCursorSchema,
  decodeCursor,
  emailSchema,
  ProblemError,
  pageQuerySchema,
  pageSchema,
  personNameSchema,
  phoneSchema,
  problemSchema,
  ruleViolation,
} from '@verwijsindex/shared'
import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { MatchContext } from '../context.js'
import { LEGAL_MAX_DURATION_DAYS } from '../domain/age.js'
import { readHousehold } from '../use-cases/read-household.js'
import { readRegistration, readRegistrations } from '../use-cases/read-registrations.js'
import { type Contact, register } from '../use-cases/register.js'
import { requestHistory } from '../use-cases/request-history.js'
import { updateRegistration } from '../use-cases/update-registration.js'
import { withdraw } from '../use-cases/withdraw.js'
import {
  contactSchema,
  householdSchema,
  organisationRefSchema,
  registrationSchema,
} from '../views/schemas.js'

const archivedSchema = z
  .object({
    organisation: organisationRefSchema.describe('The organisation that held the ended registration.'),
    contact: contactSchema.describe('Its professional, to ask about it.'),
    kind: z.enum(['concern', 'involvement']).describe('What kind of registration it was.'),
    period: z
      .object({
        from: z.date().describe('When it was registered.'),
        to: z.date().describe('When it ended.'),
      })
      .describe('When it was active.'),
  })
  .describe('An ended registration of another organisation, from the history archive.')

const contactInput = z
  .strictObject({
    name: personNameSchema.describe("The professional's name.").meta({ example: 'Anna de Vries' }),
    email: emailSchema
      .describe("The professional's email address.")
      .meta({ example: 'a.devries@regenboog.example' }),
    phone: phoneSchema.describe("The professional's phone number.").meta({ example: '+31 40 123 4567' }),
  })
  .describe(
    "The professional other parties contact; a system token must give it, a professional's token supplies it.",
  )

const durationDaysInput = z.number().int().min(1).max(LEGAL_MAX_DURATION_DAYS)

/**
 * A registration holds only what the law allows (Jeugdwet 7.1.4): no reason, notes or any free text.
 * The schema is strict, so such a field is refused by name.
 */
export const registrationInput = z
  .strictObject({
    bsn: bsnSchema.describe("The child's BSN; turned into a keyed subject key on arrival and never stored."),
    birthDate: z.iso
      .date()
      .describe("The child's birth date; 23 or older is refused.")
      .meta({ example: '2016-05-10' }),
    kind: z
      .enum(['concern', 'involvement'])
      .describe('`concern`: a signal about the child; `involvement`: your organisation has care running.'),
    durationDays: durationDaysInput
      .optional()
      .describe("Days the registration lasts; default the region's, at most the legal maximum (two years)."),
    externalReference: z
      .string()
      .regex(/^[A-Za-z0-9._/-]{1,64}$/, 'must be a code of 1 to 64 letters, digits or . _ / -')
      // No BSN at rest, without exception: a reference that is (or hides) one is refused.
      .refine((value) => !containsBsn(value), 'must not contain a BSN')
      .optional()
      .describe('Your own reference (e.g. a pupil or case number): a code, not a place for text.')
      .meta({ example: 'LLN-2041' }),
    municipality: z
      .string()
      .regex(/^\d{4}$/, 'must be a 4-digit CBS municipality code')
      .optional()
      .describe("The child's municipality (CBS code); picks the region whose rules apply.")
      .meta({ example: '0772' }),
    household: z
      .strictObject({
        postcode: z
          .string()
          .regex(/^\d{4} ?[A-Za-z]{2}$/, 'must be a Dutch postcode')
          .describe('The postcode.')
          .meta({ example: '5611 AB' }),
        houseNumber: z
          .string()
          .regex(/^\d{1,5}( ?[A-Za-z0-9-]{1,6})?$/, 'must be a house number with optional addition')
          .describe('The house number with optional addition.')
          .meta({ example: '12A' }),
      })
      .optional()
      .describe("The child's home address, for household matches; only a keyed hash of it is kept."),
    contact: contactInput.optional(),
  })
  // The example 'Try it out' in /docs sends: valid as it stands (111222333 passes the elfproef).
  .meta({
    example: { bsn: '111222333', birthDate: '2016-05-10', kind: 'concern', externalReference: 'LLN-2041' },
  })

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
          "Other organisations involved with other children of this registration's household (same hashed address).",
        tags: ['registrations'],
        params: idParams,
        response: {
          200: z.object({
            households: z
              .array(householdSchema)
              .describe('Other children of the household and who is involved.'),
          }),
          404: problemSchema,
        },
      },
    },
    async (request) => ({
      households: await readHousehold(ctx, actorOf(request), request.organisation!, request.params.id),
    }),
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
