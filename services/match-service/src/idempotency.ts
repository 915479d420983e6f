import { createHmac } from 'node:crypto'
import { auditRequest, ProblemError } from '@verwijsindex/shared'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { MatchDatabase } from './db/schema.js'

const KEY = /^[\x21-\x7e]{1,255}$/

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { scope: string; key: string; hash: string }
  }
  interface FastifyContextConfig {
    /** A POST that only reads (its body carries a BSN or a question): nothing to replay, nothing stored. */
    readOnly?: boolean
  }
}

/** Idempotency records are kept a day: long enough for any client's retries. */
export const IDEMPOTENCY_HOURS = 24

export async function purgeIdempotencyKeys(db: Kysely<MatchDatabase>, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('match.idempotencyKeys')
    .where('createdAt', '<', new Date(now.getTime() - IDEMPOTENCY_HOURS * 3_600_000))
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

/**
 * `Idempotency-Key` on any POST: the first successful answer is stored and replayed for a retry with the
 * same key and the same request. The record holds the answer (which never contains a BSN) and a keyed
 * hash of the request, never the request itself.
 */
export function registerIdempotency(app: FastifyInstance, db: Kysely<MatchDatabase>, secret: string): void {
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const key = request.headers['idempotency-key']
    if (
      request.method !== 'POST' ||
      key === undefined ||
      !request.user ||
      request.routeOptions.config.readOnly
    )
      return
    if (typeof key !== 'string' || !KEY.test(key)) {
      throw new ProblemError(
        'validation_failed',
        'Idempotency-Key must be 1 to 255 printable ASCII characters',
        [{ pointer: '/headers/idempotency-key', message: 'invalid' }],
      )
    }
    const scope = `${request.user.sub}|${request.routeOptions.url}`
    const hash = createHmac('sha256', secret)
      .update(`${request.url}\u0000${JSON.stringify(request.body ?? null)}`)
      .digest('hex')
    const stored = await db
      .selectFrom('match.idempotencyKeys')
      .selectAll()
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst()
    if (!stored) {
      request.idempotency = { scope, key, hash }
      return
    }
    if (stored.requestHash !== hash) {
      throw new ProblemError('unprocessable', 'This Idempotency-Key was already used for a different request')
    }
    await db
      .transaction()
      .execute((trx) =>
        auditRequest(trx, request, 'request.replay', { resource: { type: 'idempotency-key', id: key } }),
      )
    return reply
      .code(stored.statusCode)
      .header('idempotent-replayed', 'true')
      .type('application/json')
      .serializer(JSON.stringify)
      .send(stored.response)
  })

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload) => {
    const pending = request.idempotency
    if (!pending || reply.statusCode >= 300 || typeof payload !== 'string') return payload
    await db
      .insertInto('match.idempotencyKeys')
      .values({
        scope: pending.scope,
        key: pending.key,
        requestHash: pending.hash,
        statusCode: reply.statusCode,
        response: payload,
        createdAt: app.clock.now(),
      })
      .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
      .execute()
    return payload
  })
}
