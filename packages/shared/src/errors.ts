import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod'
import { z } from 'zod'

/**
 * RFC 9457 problem details. `code` is the stable, machine-readable part integrators switch on;
 * `title` and `detail` are for people.
 */
export const problemCodes = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  bad_request: { status: 400, title: 'The request could not be read' },
  unauthorized: { status: 401, title: 'Authentication is required' },
  forbidden: { status: 403, title: 'This token may not do this' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  unprocessable: { status: 422, title: 'The request is refused by a rule' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const

export type ProblemCode = keyof typeof problemCodes

export interface FieldError {
  pointer: string
  message: string
}

export const problemSchema = z
  .object({
    type: z
      .string()
      .describe('A URI naming the kind of problem.')
      .meta({ example: 'https://verwijsindex.nl/problems/validation-failed' }),
    title: z.string().describe('A short summary of the kind of problem, for people.'),
    status: z.number().int().describe('The HTTP status code.').meta({ example: 400 }),
    code: z
      .enum(Object.keys(problemCodes) as [ProblemCode, ...ProblemCode[]])
      .describe('Stable and machine-readable: program against this (an RFC 9457 extension member).'),
    detail: z.string().optional().describe('What went wrong in this request, for people.'),
    instance: z.string().optional().describe('The path of the request that failed.'),
    errors: z
      .array(
        z.object({
          pointer: z
            .string()
            .describe('JSON Pointer into the request body (or region document).')
            .meta({ example: '/birthDate' }),
          message: z.string().describe('What is wrong with that field.'),
        }),
      )
      .optional()
      .describe('For validation and rule problems: each field at fault (an RFC 9457 extension member).'),
  })
  .meta({
    id: 'Problem',
    description: 'An RFC 9457 problem: every 4xx and 5xx answer is one, as application/problem+json.',
  })

export type Problem = z.infer<typeof problemSchema>

export class ProblemError extends Error {
  readonly code: ProblemCode
  readonly status: number
  readonly errors: FieldError[] | undefined
  constructor(code: ProblemCode, detail?: string, errors?: FieldError[]) {
    super(detail ?? problemCodes[code].title)
    this.name = 'ProblemError'
    this.code = code
    this.status = problemCodes[code].status
    this.errors = errors
  }
}

/** 422: a well-formed request refused by a domain rule, pointing at the field the rule is about. */
export function ruleViolation(pointer: string, message: string): ProblemError {
  return new ProblemError('unprocessable', message, [{ pointer, message }])
}

export function problemBody(
  code: ProblemCode,
  detail?: string,
  errors?: FieldError[],
  instance?: string,
): Problem {
  const { status, title } = problemCodes[code]
  return {
    type: `https://verwijsindex.nl/problems/${code.replaceAll('_', '-')}`,
    title,
    status,
    code,
    ...(detail ? { detail } : {}),
    ...(instance ? { instance } : {}),
    ...(errors ? { errors } : {}),
  }
}

export function sendProblem(
  reply: FastifyReply,
  code: ProblemCode,
  detail?: string,
  errors?: FieldError[],
): FastifyReply {
  return reply
    .code(problemCodes[code].status)
    .type('application/problem+json')
    .send(problemBody(code, detail, errors, reply.request.url.split('?')[0]))
}

function escapePointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1')
}

function validationErrors(error: FastifyError): FieldError[] {
  if (!hasZodFastifySchemaValidationErrors(error)) {
    return (error.validation ?? []).map((v) => ({ pointer: v.instancePath, message: v.message ?? 'invalid' }))
  }
  return error.validation.flatMap((v) => {
    const base = v.instancePath === '/' ? '' : v.instancePath
    const keys = (v.params as { keys?: unknown }).keys
    if (v.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
      return keys.map((key) => ({
        pointer: `${base}/${escapePointerToken(String(key))}`,
        message: 'unknown field; this index stores no content about the concern, so no free fields exist',
      }))
    }
    return [{ pointer: base, message: v.message ?? 'invalid' }]
  })
}

const statusToCode: Record<number, ProblemCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
  503: 'unavailable',
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof ProblemError) {
      return sendProblem(reply, error.code, error.message, error.errors)
    }
    if (error.validation) {
      const where = error.validationContext ?? 'request'
      return sendProblem(reply, 'validation_failed', `The ${where} is not valid`, validationErrors(error))
    }
    if (isResponseSerializationError(error as never)) {
      request.log.error({ err: error }, 'response did not match its schema')
      return sendProblem(reply, 'internal_error')
    }
    const status = error.statusCode ?? 500
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed')
      return sendProblem(reply, status === 503 ? 'unavailable' : 'internal_error')
    }
    return sendProblem(reply, statusToCode[status] ?? 'bad_request', error.message)
  })

  app.setNotFoundHandler(
    { preHandler: app.rateLimit ? app.rateLimit() : undefined },
    (request: FastifyRequest, reply: FastifyReply) =>
      sendProblem(reply, 'not_found', `No route ${request.method} ${request.url.split('?')[0]}`),
  )
}
