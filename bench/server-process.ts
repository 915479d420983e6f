/**
 * Starts bench/serve.ts (match-service, audit-service, a bare route) on a bench database, in BENCH_PROCESSES
 * processes (default: one per core) under a primary, and signs the tokens the load needs.
 * BENCH_PROFILE=<folder> writes a V8 CPU profile of each of those processes there (open it in Chrome's
 * DevTools).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '@verwijsindex/shared/embedded-postgres'
import { professional, signToken } from '@verwijsindex/shared/testing'
import { orgId, REGION } from './fixture.js'
import { processTreeCpuMs } from './process-cpu.js'

/**
 * Connections each service's pool may hold in all, shared out among the processes: four times the cores
 * (8 on 2), as the embedded server shares this machine's cores. More do not answer more requests, they let
 * more backends wait for a core at once: in six alternating pairs of open loops at 200 registrations a
 * second, a pool of 4 against 20 gave a median p99 of 26.6 against 48.9 ms (lower in five pairs), and the
 * closed loop 984 registrations a second with either. Between 4 and 8 six pairs showed no difference (25.6
 * against 31.6 ms, three pairs each way), and the statistics read, nine statements at once, wants 8: p50 644
 * ms with 4, 569 with 8, 550 with 20 (docs/operations.md §8).
 */
const POOL = 4 * os.availableParallelism()

export interface BenchServer {
  match: string
  audit: string
  bare: string
  /** CPU milliseconds all the server's processes have used so far (user + system), from /proc; 0 without. */
  cpuMs(): number
  /** A professional's token for organisation `i` (0-based) of the fixture. */
  professional(i: number): string
  auditor(): string
  policyOfficer(): string
  close(): Promise<void>
}

/**
 * BENCH_PROCESSES: how many processes serve the bench server's ports; default one per two cores, since
 * PostgreSQL and the load generator share the machine and need about half of it. On 2 cores a second
 * process measured 14% fewer registrations at 47% more CPU each (docs/operations.md §8).
 */
export function benchProcesses(): number {
  return Number(process.env.BENCH_PROCESSES ?? Math.max(1, Math.floor(os.availableParallelism() / 2)))
}

async function waitFor(child: ChildProcess, text: string): Promise<void> {
  let output = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      output += d
      if (output.includes(text)) resolve()
    })
    child.stderr?.on('data', (d) => {
      output += d
    })
    child.on('exit', () => reject(new Error(`bench server exited:\n${output}`)))
  })
}

/** `subjectKeySecret` must be the one the preload made the report children's pseudonyms with. */
export async function startBenchServer(databaseUrl: string, subjectKeySecret: string): Promise<BenchServer> {
  const jwtSecret = randomBytes(32).toString('hex')
  const ports = { match: await freePort(), audit: await freePort(), bare: await freePort() }
  const processes = benchProcesses()
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: databaseUrl,
    // The same connections however many processes: PostgreSQL sees the same load, the processes differ.
    DATABASE_POOL_MAX: String(Math.ceil(POOL / processes)),
    BENCH_PROCESSES: String(processes),
    JWT_SECRET: jwtSecret,
    SUBJECT_KEY_SECRET: subjectKeySecret,
    MATCH_SERVICE_PORT: String(ports.match),
    AUDIT_SERVICE_PORT: String(ports.audit),
    BARE_PORT: String(ports.bare),
    RATE_LIMIT_PER_MINUTE: '100000000',
    LOG_LEVEL: 'warn',
  }
  const profile = process.env.BENCH_PROFILE
  const server = spawn(
    process.execPath,
    [
      ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
      '--conditions=source',
      '--import',
      'tsx',
      path.join(path.dirname(fileURLToPath(import.meta.url)), 'serve.ts'),
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  await waitFor(server, 'bench server ready')
  // Each token is kept for half an hour, as a client would keep it, and then signed anew, so a long run
  // never meets an expired one.
  const tokens = new Map<string, { token: string; at: number }>()
  const sign = (claims: Record<string, unknown>) => {
    const id = JSON.stringify(claims)
    const kept = tokens.get(id)
    if (kept && Date.now() - kept.at < 1_800_000) return kept.token
    const token = signToken(claims, jwtSecret, { expiresInSeconds: 3600 })
    tokens.set(id, { token, at: Date.now() })
    return token
  }
  return {
    match: `http://127.0.0.1:${ports.match}`,
    audit: `http://127.0.0.1:${ports.audit}`,
    bare: `http://127.0.0.1:${ports.bare}`,
    cpuMs: () => processTreeCpuMs(server.pid),
    professional: (i) => sign(professional(orgId(i))),
    auditor: () => sign({ sub: 'bench-auditor', roles: ['auditor'] }),
    policyOfficer: () => sign({ sub: 'bench-policy', roles: ['policy_officer'], region: REGION }),
    async close() {
      if (server.exitCode !== null) return
      const exited = new Promise((resolve) => server.once('exit', resolve))
      server.kill('SIGTERM')
      await exited
    },
  }
}
