import {
  type ConnectionProvider,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  Transaction,
} from 'kysely'

/**
 * Runs independent statements of a transaction together, in one round trip: `work` gets the transaction
 * with a way to its connection on which every statement goes out the moment it is issued, so
 * `Promise.all([a(trx), b(trx)])` writes both before the first answer is back (the pool's connections
 * pipeline, pool.ts). Without it a statement costs a round trip of its own even under `Promise.all`:
 * kysely hands a transaction's connection to one statement at a time and sends the next only after the
 * answer to the one before.
 *
 * Only for statements that need nothing of each other: they reach the server in the order their queries
 * are built, which differs with each function's own awaits, so no statement may depend on another's having
 * run first (a row and the row referencing it go one after the other). They run in the transaction; one
 * that fails fails the transaction (the server refuses the statements after it), and its error is the one
 * `Promise.all` rejects with, since the answers come back in order. The transaction's other statements wait
 * until `work` is done, so `work` must use only the transaction it is given: the outer one would wait for
 * `work` to end, and `work` for it.
 */
export async function pipelined<DB, T>(
  trx: Transaction<DB>,
  work: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  const executor = trx.getExecutor()
  // Held for the whole of `work`: no statement of the transaction from outside it comes in between.
  return executor.provideConnection((connection) => {
    const direct: ConnectionProvider = { provideConnection: (consume) => consume(connection) }
    const dialect = onlyStatements(connection)
    return work(
      new Transaction<DB>({
        config: { dialect },
        dialect,
        driver: dialect.createDriver(),
        executor: executor.withConnectionProvider(direct),
      }),
    )
  })
}

/** What the pipelined transaction is built from: PostgreSQL's SQL, on a connection already in a transaction. */
function onlyStatements(connection: DatabaseConnection): Dialect {
  const refuse = () => Promise.reject(new Error('pipelined: the transaction is the caller’s to end'))
  const driver: Driver = {
    init: async () => undefined,
    acquireConnection: async () => connection,
    beginTransaction: refuse,
    commitTransaction: refuse,
    rollbackTransaction: refuse,
    releaseConnection: async () => undefined,
    destroy: async () => undefined,
  }
  return {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => driver,
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  }
}
