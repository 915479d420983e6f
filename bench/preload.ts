/**
 * Fills a bench database with a region's year (bench/preload-rows.ts) through COPY, never the API:
 * `registrations` registrations, half as many children, a fifth as many matches, five audit events per
 * registration. Shared by the preloaded match-service bench and the statistics bench. The match tables and
 * the audit events load side by side, each in a process of its own (bench/preload-lane.ts).
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { writeFixture } from './fixture.js'
import type { LaneSeconds, LaneTask } from './preload-lane.js'
import { type Shape, shapeOf } from './preload-rows.js'

/** BENCH_SIZE: `1m` (default), `10m`, `250k` or a plain number of registrations. */
export function parseSize(text: string | undefined): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec((text ?? '1m').trim())
  if (!match) throw new Error(`BENCH_SIZE must look like 1m, 10m, 250k or 1000000, not ${text}`)
  const unit = { '': 1, k: 1_000, m: 1_000_000 }[match[2]!.toLowerCase() as '' | 'k' | 'm']
  return Math.round(Number(match[1]) * unit)
}

export interface Preloaded {
  shape: Shape
  /** Wall-clock seconds of the whole load, and of each lane's steps (COPY, index rebuild, VACUUM ANALYZE). */
  seconds: { total: number; lanes: Record<string, LaneSeconds> }
  /** Tables and their indexes afterwards, in bytes. */
  bytes: number
}

const LANES = ['match', 'audit']
const laneScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'preload-lane.ts')

function runLane(task: LaneTask): Promise<LaneSeconds> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', laneScript, JSON.stringify(task)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  let result: LaneSeconds | undefined
  let pending = ''
  child.stdout.on('data', (data) => {
    pending += data
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) {
      if (line.startsWith('lane done ')) result = JSON.parse(line.slice('lane done '.length))
      else process.stdout.write(`${line}\n`)
    }
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0 && result
        ? resolve(result)
        : reject(new Error(`preload lane ${task.schema} failed (${code})`)),
    )
  })
}

/** The server's `url` database gets the fixture, and with `registrations` > 0 the preloaded year. */
export async function preload(
  url: string,
  registrations: number,
  options: { secret: string; now?: number },
): Promise<Preloaded> {
  const now = options.now ?? Date.now()
  const shape = shapeOf(registrations, now)
  const started = performance.now()
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await writeFixture(client)
    if (registrations === 0) return { shape, seconds: { total: 0, lanes: {} }, bytes: 0 }
    const results = await Promise.all(
      LANES.map((schema) => runLane({ url, registrations, now, secret: options.secret, schema })),
    )
    const { rows } = await client.query<{ bytes: string }>(
      `select sum(pg_total_relation_size(c.oid))::bigint as bytes
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any($1) and c.relkind = 'r'`,
      [LANES],
    )
    return {
      shape,
      seconds: {
        total: (performance.now() - started) / 1000,
        lanes: Object.fromEntries(LANES.map((schema, i) => [schema, results[i]!])),
      },
      bytes: Number(rows[0]?.bytes ?? 0),
    }
  } finally {
    await client.end()
  }
}
