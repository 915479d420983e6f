/**
 * PostgreSQL's own speed for a script of statements: pgbench at the bench's concurrency, with
 * transactions per second and the p50/p99 of each transaction from its per-transaction log.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type Figures, percentile } from './load.js'

export function pgbenchVersion(): string | undefined {
  const run = spawnSync('pgbench', ['--version'], { encoding: 'utf8' })
  return run.status === 0 ? run.stdout.trim() : undefined
}

/**
 * Runs `script` against `url` with `clients` connections for `seconds`, with prepared statements as the
 * service prepares its own, and no vacuum first; `defines` become `-D name=value`. With `rate`, an open loop
 * at that many transactions per second (`-R`), each latency counted from its scheduled start, as the
 * bench's own open loop counts it. Undefined when pgbench is not on PATH.
 */
export function pgbench(
  url: string,
  script: string,
  options: { clients: number; seconds: number; defines?: Record<string, string | number>; rate?: number },
): (Figures & { max: number }) | undefined {
  if (!pgbenchVersion()) return undefined
  const u = new URL(url)
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'verwijsindex-pgbench-'))
  try {
    const args = [
      ...['-h', decodeURIComponent(u.hostname), '-p', u.port || '5432', '-U', decodeURIComponent(u.username)],
      ...['-n', '-M', 'prepared', '-c', String(options.clients), '-j', '2', '-T', String(options.seconds)],
      ...(options.rate ? ['-R', String(options.rate)] : []),
      ...Object.entries(options.defines ?? {}).flatMap(([name, value]) => ['-D', `${name}=${value}`]),
      ...['-f', script, '--log', '--log-prefix', path.join(logDir, 'tx')],
      u.pathname.slice(1),
    ]
    const env = { ...process.env, PGPASSWORD: decodeURIComponent(u.password) }
    const run = spawnSync('pgbench', args, { env, encoding: 'utf8', cwd: logDir })
    if (run.status !== 0) throw new Error(`pgbench ${path.basename(script)} failed: ${run.stderr}`)
    const tps = Number(/tps = ([\d.]+)/.exec(run.stdout)?.[1])
    const failed = Number(/number of failed transactions: (\d+)/.exec(run.stdout)?.[1] ?? 0)
    // One line per transaction; the third column is its latency in microseconds (under -R, from the time the
    // transaction was scheduled, so it includes any wait for a free client).
    const latencies = readdirSync(logDir)
      .flatMap((file) => readFileSync(path.join(logDir, file), 'utf8').split('\n'))
      .filter(Boolean)
      .map((line) => Number(line.split(' ')[2]) / 1000)
      .sort((a, b) => a - b)
    return {
      rps: tps,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      requests: latencies.length,
      errors: failed,
      max: latencies[latencies.length - 1] ?? Number.NaN,
    }
  } finally {
    rmSync(logDir, { recursive: true, force: true })
  }
}
