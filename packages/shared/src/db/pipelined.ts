import {
  type ConnectionProvider,
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
    const { dialect, driver } = STATEMENTS_ONLY
    return work(
      new Transaction<DB>({
        config: { dialect },
        dialect,
        driver,
        executor: executor.withConnectionProvider(direct),
      }),
    )
  })
}

/**
 * What a transaction object is built from besides its executor, which does all its work: PostgreSQL's
 * dialect, and a driver that refuses, since the pipelined transaction neither connects nor ends itself.
 */
const STATEMENTS_ONLY = (() => {
  const refuse = () => Promise.reject(new Error('pipelined: the transaction is the caller’s to run and end'))
  const driver: Driver = {
    init: async () => undefined,
    acquireConnection: refuse,
    beginTransaction: refuse,
    commitTransaction: refuse,
    rollbackTransaction: refuse,
    releaseConnection: async () => undefined,
    destroy: async () => undefined,
  }
  const dialect: Dialect = {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => driver,
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  }
  return { dialect, driver }
})()
