import { createHmac } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { actorOf } from './actor.js'
import { recordAudit } from './audit.js'
import {
  claimIdempotencyKey,
  deleteIdempotencyRecordsBefore,
  findIdempotencyRecord,
  type IdempotencyRecordKey,
  type IdempotencyTable,
  releaseIdempotencyClaim,
  type SharedTables,
  saveIdempotentAnswer,
  takeOverAbandonedClaim,
} from './db/index.js'
import { ProblemError } from './errors.js'

const KEY = /^[\x21-\x7e]{1,255}$/

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: IdempotencyRecordKey
  }
  interface FastifyContextConfig {
    /** A POST that only reads (its body carries a BSN or a question): nothing to replay, nothing stored. */
    readOnly?: boolean
  }
}

/** Idempotency records are kept a day: long enough for any client's retries. */
export const IDEMPOTENCY_HOURS = 24

/** How long a claimed key counts as in progress before a retry may take it over (a crashed attempt). */
const IN_PROGRESS_MS = 60_000

/**
 * `Idempotency-Key` on any POST: the first successful answer is stored and replayed for a retry with the
 * same key and the same request. The record holds the answer (which never contains a BSN) and a keyed
 * hash of the request, never the request itself.
 */
export function registerIdempotency<DB extends SharedTables>(
  app: FastifyInstance,
  db: Kysely<DB>,
  options: { table: IdempotencyTable; secret: string },
): void {
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
    // Scoped to the organisation (one professional may work for two) and the route; operator roles carry
    // no organisation and act as themselves.
    const owner = request.user.org ? `org:${request.user.org}` : `sub:${request.user.sub}`
    const scope = `${owner}|${request.routeOptions.url}`
    const record: IdempotencyRecordKey = { table: options.table, scope, key }
    const hash = createHmac('sha256', options.secret)
      .update(`${request.url}\u0000${JSON.stringify(request.body ?? null)}`)
      .digest('hex')
    const now = app.clock.now()
    // Claim the key first (status 0 = in progress), so two simultaneous first attempts cannot both run.
    if (await claimIdempotencyKey(db, record, hash, now)) {
      request.idempotency = record
      return
    }
    const stored = await findIdempotencyRecord(db, record)
    if (!stored || stored.requestHash !== hash) {
      throw new ProblemError('unprocessable', 'This Idempotency-Key was already used for a different request')
    }
    if (stored.statusCode === 0) {
      // Still running, or its process died: an attempt abandoned for a minute may be taken over.
      const claimedBefore = new Date(now.getTime() - IN_PROGRESS_MS)
      if (!(await takeOverAbandonedClaim(db, record, claimedBefore, now))) {
        throw new ProblemError(
          'conflict',
          'A request with this Idempotency-Key is still in progress; retry shortly',
        )
      }
      request.idempotency = record
      return
    }
    await db.transaction().execute((trx) =>
      recordAudit(trx, actorOf(request), 'request.replay', {
        resource: { type: 'idempotency-key', id: key },
      }),
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
    if (!pending) return payload
    if (reply.statusCode < 300 && typeof payload === 'string') {
      await saveIdempotentAnswer(db, pending, reply.statusCode, payload)
    } else {
      // A refused or failed attempt is not an answer to replay: free the key for a corrected retry.
      await releaseIdempotencyClaim(db, pending)
    }
    return payload
  })
}

export async function purgeIdempotencyKeys<DB>(
  db: Kysely<DB>,
  table: IdempotencyTable,
  now: Date,
): Promise<number> {
  const cutoff = new Date(now.getTime() - IDEMPOTENCY_HOURS * 3_600_000)
  return deleteIdempotencyRecordsBefore(db, table, cutoff)
}
