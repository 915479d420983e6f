import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { migrate } from '@verwijsindex/shared'
import { startEmbeddedPostgres } from '@verwijsindex/shared/embedded-postgres'
import pg from 'pg'

export interface BenchDatabase {
  /** A fresh, migrated database of the bench's own. */
  url: string
  /** Drops it (and stops the embedded server, if one was started). */
  close(): Promise<void>
}

/** BENCH_PG_SETTINGS=`name=value,…`: settings for the embedded server (e.g. shared_buffers=2GB for a big load). */
function embeddedSettings(): Record<string, string> {
  const text = process.env.BENCH_PG_SETTINGS ?? ''
  return Object.fromEntries(
    text
      .split(',')
      .filter(Boolean)
      .map((pair) => {
        const [name, ...value] = pair.split('=')
        return [name!.trim(), value.join('=').trim()]
      }),
  )
}

/**
 * BENCH_PG_SCHED=batch: the embedded server's processes (the postmaster, and every backend it forks after)
 * run under Linux's SCHED_BATCH policy, so a backend woken by a query does not preempt the process that sent
 * it. On a machine the service shares with PostgreSQL, the service's one thread otherwise waits for a core
 * after most of its writes (docs/operations.md §8). pgbench runs against the same server.
 */
async function batchScheduled(dataDir: string): Promise<void> {
  const postmaster = (await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0] as string
  execFileSync('chrt', ['--batch', '--all-tasks', '--pid', '0', postmaster])
}

/**
 * The benches never touch your data: a new database on BENCH_DATABASE_URL's server (a superuser URL),
 * else on an embedded PostgreSQL in a temporary folder.
 */
export async function benchDatabase(prefix: string): Promise<BenchDatabase> {
  const given = process.env.BENCH_DATABASE_URL
  const dataDir = given ? undefined : await mkdtemp(path.join(os.tmpdir(), 'verwijsindex-bench-pg-'))
  const embedded = dataDir
    ? await startEmbeddedPostgres({
        dataDir,
        password: randomBytes(12).toString('hex'),
        settings: embeddedSettings(),
      })
    : undefined
  if (dataDir && process.env.BENCH_PG_SCHED === 'batch') await batchScheduled(dataDir)
  const serverUrl = given ?? (embedded?.url as string)
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  await migrate(url.toString())
  return {
    url: url.toString(),
    async close() {
      await admin.query(`drop database if exists ${name} with (force)`).catch(() => undefined)
      await admin.end()
      await embedded?.stop()
      if (dataDir) await rm(dataDir, { recursive: true, force: true })
    },
  }
}
