/**
 * One lane of the preload, in a process of its own so the two lanes (the match schema's tables, the audit
 * events) make their rows on both cores: `node --import tsx bench/preload-lane.ts '<json LaneTask>'`.
 * Prints progress lines, then `lane done <json LaneSeconds>`.
 *
 * A bulk load the way an operator would do one: foreign-key triggers off for the loading session (the rows
 * are consistent by construction; superuser only, as BENCH_DATABASE_URL is), the secondary indexes dropped
 * and rebuilt after the COPY in one pass each, then VACUUM ANALYZE, so no autovacuum runs later during a
 * measurement and the planner knows the sizes.
 */
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { shapeOf, type Table, tables } from './preload-rows.js'

export interface LaneTask {
  url: string
  registrations: number
  now: number
  secret: string
  /** The schema whose tables this lane loads. */
  schema: string
}

export interface LaneSeconds {
  copy: number
  indexes: number
  vacuum: number
}

const say = (line: string) => process.stdout.write(`${line}\n`)
const since = (t: number) => (performance.now() - t) / 1000

/** Rows in chunks of about a thousand, so the stream moves strings, not a call per row. */
function* chunks(table: Table): Generator<string> {
  let buffer = ''
  for (let n = 0; n < table.rows; n++) {
    buffer += table.row(n)
    if (n % 1000 === 999) {
      yield buffer
      buffer = ''
    }
  }
  if (buffer) yield buffer
}

/** The tables' indexes that no constraint owns, dropped; answers their definitions to rebuild them. */
async function dropSecondaryIndexes(client: pg.Client, names: string[]): Promise<string[]> {
  const { rows } = await client.query<{ name: string; definition: string }>(
    `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
       from pg_index i
      where i.indrelid = any($1::regclass[])
        and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`,
    [names],
  )
  for (const index of rows) await client.query(`drop index ${index.name}`)
  return rows.map((r) => r.definition)
}

async function loadLane(task: LaneTask): Promise<LaneSeconds> {
  const shape = shapeOf(task.registrations, task.now)
  const mine = tables(shape, task.secret).filter((t) => t.target.startsWith(`${task.schema}.`))
  const names = mine.map((t) => t.target.split(' ')[0]!)
  const client = new pg.Client({ connectionString: task.url })
  await client.connect()
  try {
    await client.query(`set session_replication_role = replica`)
    await client.query(`set maintenance_work_mem = '512MB'`)
    const definitions = await dropSecondaryIndexes(client, names)
    let t = performance.now()
    for (const table of mine) {
      const t0 = performance.now()
      await pipeline(Readable.from(chunks(table)), client.query(copyFrom(`copy ${table.target} from stdin`)))
      say(
        `  copied ${table.target.split(' ')[0]} (${table.rows.toLocaleString('en')}) in ${since(t0).toFixed(1)} s`,
      )
    }
    const copy = since(t)
    t = performance.now()
    for (const definition of definitions) await client.query(definition)
    const indexes = since(t)
    t = performance.now()
    await client.query(`set session_replication_role = origin`)
    for (const name of names) await client.query(`vacuum (analyze) ${name}`)
    return { copy, indexes, vacuum: since(t) }
  } finally {
    await client.end()
  }
}

const task = JSON.parse(process.argv[2] ?? '{}') as LaneTask
say(`lane done ${JSON.stringify(await loadLane(task))}`)
