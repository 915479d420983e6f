import { createHash } from 'node:crypto'
import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { connectionTarget } from './multi-host.js'
import { ABANDONED, requestAbandoned } from './request-scope.js'

// Dates (YYYY-MM-DD) stay strings: turning them into JS Dates would shift them by the server's zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value)
// bigint ids and counts fit comfortably in a double here; strings would leak into every API answer.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value))

export interface DbOptions {
  max?: number
  applicationName?: string
  /** How long a checkout waits for a free or new connection (pg's connectionTimeoutMillis). */
  acquireTimeoutMs?: number
  /** The server cancels a statement running longer (0: off). */
  statementTimeoutMs?: number
  /** The server ends a session idle inside a transaction this long, freeing its locks (0: off). */
  idleInTransactionTimeoutMs?: number
  /** A connection the server dropped (restart, failover, terminate, timeout): logged, never fatal. */
  onConnectionError?: (error: Error) => void
  /**
   * Parameterised statements become named prepared statements on each connection, so the server parses
   * and plans each only once per connection (default on; off behind a pooler that cannot keep them).
   */
  preparedStatements?: boolean
}

/** Named statements one connection keeps at most: `in (...)` lists of every length stay bounded. */
const PREPARED_PER_CONNECTION = 500

type Query = (...args: unknown[]) => Promise<unknown>

/** What a `begin` that is not yet sent answers: kysely reads only the command. */
const HELD_BACK = (command: 'BEGIN' | 'COMMIT' | 'ROLLBACK') =>
  Promise.resolve({ command, rowCount: null, rows: [], fields: [] })

/**
 * Wraps the client's query for what every statement passes through:
 * - `begin` is held back and written together with the transaction's first statement, in one write, on a
 *   pipelining client (pg's `pipeline` mode): a transaction costs one round trip fewer, and PostgreSQL runs
 *   the same statements. BEGIN fails only on a broken connection, and then its statement fails too; the
 *   statement's answer waits for BEGIN's, so an error of either reaches kysely, which rolls back. A
 *   transaction that ends before any statement never reaches the server;
 * - a transaction whose request is gone (client left, deadline passed) rolls back instead of committing:
 *   kysely sends `commit`, gets this error and sends `rollback`, so no answer-less work lands;
 * - with `prepare`, every parameterised query becomes a named prepared statement, named after its text:
 *   the server parses it (and, after a few runs, plans it) once per connection.
 */
function wrapQueries(client: pg.PoolClient, prepare: boolean): void {
  const query = client.query.bind(client) as Query
  const names = new Map<string, string>()
  let beginHeld = false
  const send = (...args: unknown[]): Promise<unknown> => {
    const [text, values] = args
    if (
      !prepare ||
      typeof text !== 'string' ||
      !Array.isArray(values) ||
      values.length === 0 ||
      args.length > 2
    ) {
      return query(...args)
    }
    let name = names.get(text)
    if (!name) {
      if (names.size >= PREPARED_PER_CONNECTION) return query(text, values)
      name = `vi_${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`
      names.set(text, name)
    }
    return query({ name, text, values })
  }
  ;(client as unknown as { query: Query }).query = (...args: unknown[]) => {
    const [text] = args
    if (text === 'begin') {
      beginHeld = true
      return HELD_BACK('BEGIN')
    }
    if (beginHeld) {
      beginHeld = false
      if (text === 'commit' || text === 'rollback')
        return HELD_BACK(text === 'commit' ? 'COMMIT' : 'ROLLBACK')
      const stream = (client as unknown as { connection: { stream: NodeJS.WritableStream & Corkable } })
        .connection.stream
      stream.cork()
      const begun = query('begin')
      const answer = send(...args)
      stream.uncork()
      return Promise.all([begun, answer]).then(([, result]) => result)
    }
    if (text === 'commit' && requestAbandoned()) return Promise.reject(new Error(ABANDONED))
    return send(...args)
  }
}

interface Corkable {
  cork(): void
  uncork(): void
}

export function createPool(url: string, options: DbOptions = {}): pg.Pool {
  // A multi-host URL (a failover pair) gets a client that connects to the current primary.
  const target = connectionTarget(url)
  const pool = new pg.Pool({
    connectionString: target.url,
    ...(target.Client ? { Client: target.Client } : {}),
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'verwijsindex',
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: options.acquireTimeoutMs ?? 0,
    // Statements given before the previous one's answer are written at once (wrapQueries holds `begin`
    // back to write it with the transaction's first statement).
    pipeline: true,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    ...(options.idleInTransactionTimeoutMs
      ? { idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs }
      : {}),
  })
  const report = (error: Error) => options.onConnectionError?.(error)
  // An idle connection the server drops is reported on the pool and replaced on the next checkout.
  pool.on('error', report)
  // A connection checked out between statements (kysely holds one for a whole transaction) reports a drop
  // on the client itself; without a listener that 'error' event would end the process. The statement that
  // runs on it next fails (503 for a request), and the release discards the broken connection.
  pool.on('connect', (client) => {
    client.on('error', report)
    wrapQueries(client, options.preparedStatements !== false)
  })
  return pool
}

export function createDb<DB>(url: string, options: DbOptions = {}): Kysely<DB> {
  return new Kysely<DB>({
    dialect: new PostgresDialect({ pool: createPool(url, options) }),
    plugins: [new CamelCasePlugin()],
  })
}

/** Resolves when the database answers `select 1` within `timeoutMs`; rejects otherwise. */
export async function pingDatabase<DB>(db: Kysely<DB>, timeoutMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the database did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    )
  })
  const ping = sql`select 1`.execute(db)
  // A ping that loses the race still settles later; its outcome no longer matters.
  ping.catch(() => undefined)
  try {
    await Promise.race([ping, timeout])
  } finally {
    clearTimeout(timer)
  }
}

// SQLSTATEs of a connection that is gone or refused: admin shutdown, crash shutdown, cannot connect now
// (starting up, recovering), too many connections, connection exceptions (class 08), a statement cancelled
// by statement_timeout or by the server (57014), an idle transaction ended (25P03), and a read-only standby
// after a failover (25006).
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '53400',
  '57014',
  '25P03',
  '25006',
])
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Connection is closed',
  'the database is not reachable',
  'the database did not answer',
  ABANDONED,
]

/**
 * Whether an error means the database is away (restart, failover, stall, exhaustion) rather than that the
 * request or the code is wrong: such a request is answered 503 with Retry-After, never 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown }
    if (typeof code === 'string') {
      if (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08') || UNAVAILABLE_ERRNOS.has(code))
        return true
    }
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((m) => message.includes(m))) return true
    if (e instanceof AggregateError && e.errors.some((inner) => isDatabaseUnavailable(inner))) return true
    e = (e as { cause?: unknown }).cause
  }
  return false
}
