import { type Compilable, CompiledQuery, type Kysely } from 'kysely'

const MARK = '\u0000compiled-once:'
const marker = (key: string) => `${MARK}${key}\u0000`

/**
 * A statement written with the query builder but built and compiled once, for the hot paths: building,
 * transforming (camel case) and compiling a large statement costs Node more CPU than PostgreSQL spends
 * running it (issue 13). The first call builds it with a marker in place of each parameter and keeps the
 * SQL text and where each parameter goes; later calls only fill in the values. Results still pass the
 * Kysely instance's plugins.
 *
 * Only for statements whose shape does not depend on the values: `build` may use each parameter as a value
 * and nothing else. The first call checks what it can: every parameter must reach the statement as a
 * value of its own, and none may end up in the SQL text or inside another value.
 */
export function compiledOnce<DB, P extends Record<string, unknown>, R>(
  build: (db: Kysely<DB>, params: P) => Compilable<R>,
): (db: Kysely<DB>, params: P) => Promise<R[]> {
  let compiled: { sql: string; values: ((params: P) => unknown)[] } | undefined
  return async (db, params) => {
    if (!compiled) compiled = compile(db, build, Object.keys(params))
    const values = compiled.values.map((value) => value(params))
    return (await db.executeQuery<R>(CompiledQuery.raw(compiled.sql, values))).rows
  }
}

function compile<DB, P extends Record<string, unknown>, R>(
  db: Kysely<DB>,
  build: (db: Kysely<DB>, params: P) => Compilable<R>,
  keys: string[],
): { sql: string; values: ((params: P) => unknown)[] } {
  const markers = Object.fromEntries(keys.map((key) => [key, marker(key)])) as P
  const query = build(db, markers).compile()
  if (query.sql.includes(MARK)) throw new Error('compiledOnce: a parameter was written into the SQL text')
  const used = new Set<string>()
  const values = query.parameters.map((parameter): ((params: P) => unknown) => {
    const key = keys.find((k) => parameter === marker(k))
    if (key !== undefined) {
      used.add(key)
      return (params) => params[key]
    }
    if (JSON.stringify(parameter ?? null).includes(JSON.stringify(MARK).slice(1, -1)))
      throw new Error('compiledOnce: a parameter was changed before it reached the statement')
    return () => parameter
  })
  const unused = keys.filter((key) => !used.has(key))
  if (unused.length > 0) throw new Error(`compiledOnce: ${unused.join(', ')} never reached the statement`)
  return { sql: query.sql, values }
}
