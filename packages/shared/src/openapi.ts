import { readFileSync } from 'node:fs'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { createJsonSchemaTransformObject, jsonSchemaTransform } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { type ProblemCode, problemCodes } from './errors.js'

/** The API's full version (NL API Design Rules /core/version-header and /core/semver): the package's own. */
export const API_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version

/** The major version every route lives under (/core/uri-version). */
export const API_BASE_PATH = '/v1'
export const OPENAPI_PATH = `${API_BASE_PATH}/openapi.json`

/** An event a service sends to its integrators (a webhook, and the same event by mail). */
export interface OpenApiWebhook {
  name: string
  summary: string
  description: string
}

/** What a service tells the document beside its routes. */
export interface OpenApiOptions {
  title: string
  description: string
  /** POSTs may carry an Idempotency-Key here: they can answer 409 (in flight) and 422 (key reused). */
  idempotent: boolean
  /** The body every webhook carries, with its component name, and the events sent with it. */
  webhooks?: { payloadName: string; payload: z.ZodType; events: OpenApiWebhook[] }
}

type Json = Record<string, unknown>
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const
const PROBLEM_REF = { $ref: '#/components/schemas/Problem' }
const VERSION_HEADER_REF = { $ref: '#/components/headers/API-Version' }

const SUCCESS_DESCRIPTIONS: Record<string, string> = {
  '200': 'OK: the resource or result asked for.',
  '201': 'Created: the new resource.',
  '202': 'Accepted: the work is queued.',
  '204': 'No content: done.',
}

const STATUS_CODES: Record<string, ProblemCode> = {
  '400': 'validation_failed',
  '401': 'unauthorized',
  '403': 'forbidden',
  '404': 'not_found',
  '409': 'conflict',
  '413': 'payload_too_large',
  '415': 'unsupported_media_type',
  '422': 'unprocessable',
  '429': 'rate_limited',
  '500': 'internal_error',
  '503': 'unavailable',
}

const ERROR_DESCRIPTIONS: Record<string, string> = {
  '400':
    'The request is not valid (schema violation, unknown field, unreadable body): `errors` points at each field.',
  '401': 'No token, or a token that is expired, tampered with or wrongly signed.',
  '403': "The token's role may not do this, or its organisation is unknown to the index or deactivated.",
  '404': 'Not found, or not visible to the caller (need to know): the two are not told apart.',
  '409': 'An earlier request with the same Idempotency-Key is still running, or the change conflicts.',
  '413': 'The request body is larger than 64 KiB.',
  '415': 'The request body is not application/json.',
  '422':
    'Well-formed, but refused by a rule (age, duration, region), or an Idempotency-Key reused with another body.',
  '429': 'Over the rate limit for this token subject; see `retry-after`.',
  '500': 'A bug: the x-request-id finds it in the log.',
  '503': 'The service or its database is under pressure or unreachable; see `retry-after`.',
}

/** The error statuses an operation can answer, from what the kernel does to every route. */
function errorStatuses(method: string, operation: Json, idempotent: boolean): string[] {
  const statuses = new Set(['401', '403', '429', '503'])
  const parameters = (operation.parameters as { in: string }[] | undefined) ?? []
  if (parameters.length > 0 || operation.requestBody) statuses.add('400')
  if (parameters.some((p) => p.in === 'path')) statuses.add('404')
  if (operation.requestBody) for (const status of ['413', '415', '422']) statuses.add(status)
  if (method === 'post' && idempotent) for (const status of ['409', '422']) statuses.add(status)
  return [...statuses]
}

/** Every response: a description, the API-Version header, and problem+json with the Problem schema for errors. */
function completeResponses(method: string, operation: Json, idempotent: boolean): void {
  const responses = (operation.responses ?? {}) as Record<string, Json>
  for (const status of errorStatuses(method, operation, idempotent)) responses[status] ??= {}
  for (const [status, response] of Object.entries(responses)) {
    const error = /^[45]/.test(status)
    if (error) {
      response.description =
        ERROR_DESCRIPTIONS[status] ?? problemCodes[STATUS_CODES[status] ?? 'bad_request'].title
      response.content = { 'application/problem+json': { schema: PROBLEM_REF } }
    } else if (!response.description || response.description === 'Default Response') {
      response.description = SUCCESS_DESCRIPTIONS[status] ?? 'Success.'
    }
    response.headers = { ...(response.headers as Json | undefined), 'API-Version': VERSION_HEADER_REF }
  }
  operation.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)))
}

/** Only the schemas the document reaches: the zod registry is global, shared by every service in a process. */
function reachableSchemas(document: Json, schemas: Record<string, Json>): Record<string, Json> {
  const reached = new Set<string>()
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const entry of node) walk(entry)
      return
    }
    if (node === null || typeof node !== 'object') return
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
        const name = value.slice('#/components/schemas/'.length)
        if (!reached.has(name) && schemas[name]) {
          reached.add(name)
          walk(schemas[name])
        }
      } else walk(value)
    }
  }
  walk({ paths: document.paths, webhooks: document.webhooks })
  return Object.fromEntries(
    Object.keys(schemas)
      .sort()
      .filter((name) => reached.has(name))
      .map((name) => [name, schemas[name] as Json]),
  )
}

function webhooksOf(options: NonNullable<OpenApiOptions['webhooks']>): Json {
  const ref = { $ref: `#/components/schemas/${options.payloadName}` }
  const header = (name: string, description: string, example: string) => ({
    name,
    in: 'header',
    required: true,
    description,
    schema: { type: 'string' },
    example,
  })
  return Object.fromEntries(
    options.events.map((event) => [
      event.name,
      {
        post: {
          operationId: `webhook-${event.name}`.replace(/[._-](\w)/g, (_, c: string) => c.toUpperCase()),
          summary: event.summary,
          description: `${event.description}\n\nSent to every webhook of each organisation the event concerns (and by mail to its functional mailbox), signed per Standard Webhooks. The body's \`type\` is \`${event.name}\`.`,
          tags: ['webhooks'],
          security: [],
          parameters: [
            header(
              'webhook-id',
              "The notification's id: the same on every retry, so a receiver can drop repeats.",
              '0a3c5b0e-7d4e-4d59-9f3a-2b1f6f1a9c11',
            ),
            header('webhook-timestamp', 'Unix seconds of this attempt.', '1772442000'),
            header(
              'webhook-signature',
              '`v1,` + base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`.',
              'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
            ),
          ],
          requestBody: { required: true, content: { 'application/json': { schema: ref } } },
          responses: {
            '200': { description: 'Any 2xx: the event is stored by the receiver; delivery is done.' },
            '410': { description: 'Gone: the index stops delivering to this webhook.' },
          },
        },
      },
    ]),
  )
}

/**
 * OpenAPI 3.1 at /v1/openapi.json (and the UI at /docs), complete by construction: components filled from
 * the zod registry, every error declared as problem+json once here rather than per route, the API-Version
 * header on every response, and the events a service sends under `webhooks`.
 */
export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  const fillComponents = createJsonSchemaTransformObject({})
  app.addHook('onSend', async (_request, reply) => {
    reply.header('API-Version', API_VERSION)
  })
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: options.title,
        description: options.description,
        version: API_VERSION,
        contact: { name: 'verwijsindex', email: 'api@verwijsindex.nl', url: 'https://verwijsindex.nl' },
        license: { name: 'EUPL-1.2', identifier: 'EUPL-1.2' },
      },
      servers: [{ url: API_BASE_PATH, description: 'This service, API major version 1' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (input) => {
      const document = fillComponents(input as never) as unknown as Json
      const paths = (document.paths ?? {}) as Record<string, Json>
      for (const item of Object.values(paths)) {
        for (const method of METHODS) {
          const operation = item[method] as Json | undefined
          if (operation) completeResponses(method, operation, options.idempotent)
        }
      }
      const components = document.components as Json & { schemas: Record<string, Json> }
      if (options.webhooks) {
        document.webhooks = webhooksOf(options.webhooks)
        components.schemas[options.webhooks.payloadName] = z.toJSONSchema(options.webhooks.payload, {
          target: 'draft-2020-12',
          io: 'output',
        }) as Json
        delete components.schemas[options.webhooks.payloadName]?.$schema
      }
      components.schemas = reachableSchemas(document, components.schemas)
      components.headers = {
        'API-Version': {
          description:
            'The full version of the API that answered (NL API Design Rules /core/version-header).',
          required: true,
          schema: { type: 'string', example: API_VERSION },
        },
      }
      return document as never
    },
  })
  // The document and its UI are public like health and metrics, and not part of the document themselves.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...route.config, public: true, rateLimit: false }
  })
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
  app.get(OPENAPI_PATH, { config: { public: true, rateLimit: false }, schema: { hide: true } }, async () =>
    app.swagger(),
  )
}
