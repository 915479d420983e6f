import { actorOf, pageQuerySchema, pageSchema, problemSchema } from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { NotifyDatabase, Webhook } from '../db/schema.js'
import { deleteWebhook } from '../use-cases/delete-webhook.js'
import { listWebhooks } from '../use-cases/list-webhooks.js'
import { registerWebhook } from '../use-cases/register-webhook.js'

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

/** Webhooks for school and police systems: each organisation manages its own. */
export const webhookRoutes: FastifyPluginAsyncZod<{ db: Kysely<NotifyDatabase> }> = async (app, { db }) => {
  const production = app.config.nodeEnv === 'production'

  app.post(
    '/v1/webhooks',
    {
      config: { roles: ['professional', 'system'] },
      schema: {
        operationId: 'createWebhook',
        summary: 'Register a webhook',
        tags: ['webhooks'],
        description:
          "Registers an endpoint for the caller's organisation. Deliveries are signed per Standard Webhooks with the secret, which this answer alone shows. In production only https URLs to public addresses are accepted.",
        body: z.strictObject({ url: urlSchema }),
        response: { 201: createdWebhookSchema, 400: problemSchema, 422: problemSchema },
      },
    },
    async (request, reply) => {
      const { webhook, secret } = await registerWebhook(
        { db, production },
        actorOf(request),
        request.body.url,
      )
      return reply.code(201).send({ ...toWebhook(webhook), secret })
    },
  )

  app.get(
    '/v1/webhooks',
    {
      config: { roles: ['professional', 'system'] },
      schema: {
        operationId: 'listWebhooks',
        summary: "List your organisation's webhooks",
        description: "Your organisation's webhooks, without their secrets.",
        tags: ['webhooks'],
        querystring: pageQuerySchema,
        response: { 200: pageSchema(webhookSchema), 400: problemSchema },
      },
    },
    async (request) => {
      const page = await listWebhooks(db, actorOf(request), request.query)
      return { items: page.items.map(toWebhook), nextCursor: page.nextCursor }
    },
  )

  app.delete(
    '/v1/webhooks/:id',
    {
      config: { roles: ['professional', 'system'] },
      schema: {
        operationId: 'deleteWebhook',
        summary: 'Delete a webhook',
        tags: ['webhooks'],
        description:
          'Deletes the webhook and its secret; deliveries not yet made to it are cancelled (dead).',
        params: z.object({ id: z.uuid() }),
        response: { 204: z.null(), 400: problemSchema, 404: problemSchema },
      },
    },
    async (request, reply) => {
      await deleteWebhook(db, actorOf(request), request.params.id)
      return reply.code(204).send(null)
    },
  )
}
