import { createHmac } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { type Kysely, sql } from 'kysely'
import { actorOf } from './actor.js'
import { recordAudit } from './audit.js'
import type { SharedTables } from './db.js'
import { ProblemError } from './errors.js'

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

/** Each service keeps its records in its own schema: `<schema>.idempotency_keys`. */
export type IdempotencyTable = 'match.idempotency_keys' | 'notify.idempotency_keys'

interface StoredAnswer {
  requestHash: string
  /** 0 while the first attempt is still running. */
  statusCode: number
  response: unknown
  createdAt: Date
}

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
  const table = sql.table(options.table)
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
    const hash = createHmac('sha256', options.secret)
      .update(`${request.url}\u0000${JSON.stringify(request.body ?? null)}`)
      .digest('hex')
    const now = app.clock.now()
    // Claim the key first (status 0 = in progress), so two simultaneous first attempts cannot both run.
    const claimed = await sql`
      insert into ${table} (scope, key, request_hash, status_code, response, created_at)
      values (${scope}, ${key}, ${hash}, 0, 'null'::jsonb, ${now})
      on conflict (scope, key) do nothing returning key`.execute(db)
    if (claimed.rows.length > 0) {
      request.idempotency = { scope, key, hash }
      return
    }
    const { rows } = await sql<StoredAnswer>`
      select request_hash as "requestHash", status_code as "statusCode", response, created_at as "createdAt"
      from ${table} where scope = ${scope} and key = ${key}`.execute(db)
    const stored = rows[0]
    if (!stored || stored.requestHash !== hash) {
      throw new ProblemError('unprocessable', 'This Idempotency-Key was already used for a different request')
    }
    if (stored.statusCode === 0) {
      // Still running, or its process died: an attempt abandoned for a minute may be taken over.
      const abandoned = await sql`
        update ${table} set created_at = ${now}
        where scope = ${scope} and key = ${key} and status_code = 0 and created_at <= ${new Date(now.getTime() - IN_PROGRESS_MS)}
        returning key`.execute(db)
      if (abandoned.rows.length === 0) {
        throw new ProblemError(
          'conflict',
          'A request with this Idempotency-Key is still in progress; retry shortly',
        )
      }
      request.idempotency = { scope, key, hash }
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
      await sql`
        update ${table} set status_code = ${reply.statusCode}, response = ${payload}::jsonb
        where scope = ${pending.scope} and key = ${pending.key}`.execute(db)
    } else {
      // A refused or failed attempt is not an answer to replay: free the key for a corrected retry.
      await sql`delete from ${table} where scope = ${pending.scope} and key = ${pending.key} and status_code = 0`.execute(
        db,
      )
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
  const result = await sql`delete from ${sql.table(table)} where created_at < ${cutoff}`.execute(db)
  return Number(result.numAffectedRows ?? 0)
}
