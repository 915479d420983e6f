import { randomBytes, randomUUID } from 'node:crypto'
import { isIP } from 'node:net'
import {
  auditDenied,
  auditRequest,
  decodeCursor,
  ProblemError,
  pageOf,
  pageQuerySchema,
  pageSchema,
  problemSchema,
  ruleViolation,
} from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { type Kysely, sql } from 'kysely'
import { z } from 'zod'
import type { NotifyDatabase, Webhook } from '../db/schema.js'
import {
  countActiveWebhooks,
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhooks,
} from '../db/webhooks.js'
import { hostResolvesPublic } from '../delivery/webhook.js'
import { webhookUrlProblem } from '../domain/address-policy.js'

/** More would only multiply deliveries of the same facts; a system needs one or two. */
export const MAX_WEBHOOKS_PER_ORGANISATION = 10

const webhookSchema = z
  .object({ id: z.uuid(), url: z.string(), organisation: z.string(), createdAt: z.date() })
  .meta({ id: 'Webhook' })

const createdWebhookSchema = webhookSchema
  .extend({
    /** `whsec_<base64>`: shown only in this answer; verify deliveries with it (Standard Webhooks). */
    secret: z.string(),
  })
  .meta({ id: 'CreatedWebhook' })

const toWebhook = (w: Webhook) => ({
  id: w.id,
  url: w.url,
  organisation: w.organisationId,
  createdAt: w.createdAt,
})

const urlSchema = z
  .string()
  .trim()
  .max(2000)
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
    message: 'must be an absolute http(s) URL',
  })

const cursorSchema = z.object({ createdAt: z.string(), id: z.string() })

/** Webhooks for school and police systems: each organisation manages its own. */
export const webhookRoutes: FastifyPluginAsyncZod<{ db: Kysely<NotifyDatabase> }> = async (app, { db }) => {
  const production = app.config.nodeEnv === 'production'

  app.post(
    '/v1/webhooks',
    {
      config: { roles: ['professional', 'system'] },
      schema: {
        operationId: 'createWebhook',
        tags: ['webhooks'],
        description:
          "Registers an endpoint for the caller's organisation. Deliveries are signed per Standard Webhooks with the secret, which this answer alone shows. In production only https URLs to public addresses are accepted.",
        body: z.strictObject({ url: urlSchema }),
        response: { 201: createdWebhookSchema, 400: problemSchema, 422: problemSchema },
      },
    },
    async (request, reply) => {
      const organisationId = request.user.org as string
      const { url } = request.body
      const problem = webhookUrlProblem(url, { production })
      if (problem) throw ruleViolation('/url', `The URL ${problem}`)
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '')
      if (production && !isIP(host)) {
        const resolved = await hostResolvesPublic(host)
        if (!resolved.ok)
          throw ruleViolation('/url', `The URL must point to a public address: ${resolved.reason}`)
      }
      const secret = `whsec_${randomBytes(32).toString('base64')}`
      const webhook = await db.transaction().execute(async (trx) => {
        // One organisation's registrations are serialised, so the limit holds under concurrent requests.
        await sql`select pg_advisory_xact_lock(hashtext(${`notify.webhooks:${organisationId}`}))`.execute(trx)
        if ((await countActiveWebhooks(trx, organisationId)) >= MAX_WEBHOOKS_PER_ORGANISATION) {
          throw new ProblemError(
            'unprocessable',
            `An organisation may register at most ${MAX_WEBHOOKS_PER_ORGANISATION} webhooks; delete one first`,
          )
        }
        const created = await createWebhook(
          trx,
          { id: randomUUID(), organisationId, url, secret, createdBy: request.user.sub },
          app.clock.now(),
        )
        await auditRequest(trx, request, 'webhook.create', { resource: { type: 'webhook', id: created.id } })
        return created
      })
      return reply.code(201).send({ ...toWebhook(webhook), secret })
    },
  )

  app.get(
    '/v1/webhooks',
    {
      config: { roles: ['professional', 'system'] },
      schema: {
        operationId: 'listWebhooks',
        tags: ['webhooks'],
        querystring: pageQuerySchema,
        response: { 200: pageSchema(webhookSchema), 400: problemSchema },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query
      const rows = await listWebhooks(
        db,
        request.user.org as string,
        decodeCursor(cursor, cursorSchema),
        limit + 1,
      )
      await auditRequest(db, request, 'webhook.list', { resource: { type: 'webhook', id: null } })
      const page = pageOf(rows, limit, (w) => ({ createdAt: w.createdAt.toISOString(), id: w.id }))
      return { items: page.items.map(toWebhook), nextCursor: page.nextCursor }
    },
  )

  app.delete(
    '/v1/webhooks/:id',
    {
      config: { roles: ['professional', 'system'] },
      schema: {
        operationId: 'deleteWebhook',
        tags: ['webhooks'],
        description:
          'Deletes the webhook and its secret; deliveries not yet made to it are cancelled (dead).',
        params: z.object({ id: z.uuid() }),
        response: { 204: z.null(), 400: problemSchema, 404: problemSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params
      const webhook = await getWebhook(db, id)
      if (!webhook || webhook.deletedAt) throw new ProblemError('not_found', `No webhook ${id}`)
      if (webhook.organisationId !== request.user.org) {
        await auditDenied(db, request, { resource: { type: 'webhook', id } })
        throw new ProblemError('not_found', `No webhook ${id}`)
      }
      await db.transaction().execute(async (trx) => {
        await deleteWebhook(trx, id, app.clock.now())
        await auditRequest(trx, request, 'webhook.delete', { resource: { type: 'webhook', id } })
      })
      return reply.code(204).send(null)
    },
  )
}
