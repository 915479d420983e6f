/**
 * The bench's server: match-service, audit-service (no workers, as in a replica that only answers
 * requests) and a bare Fastify route, so the load comes from another process. BENCH_PROCESSES processes
 * (node:cluster, set by server-process.ts) each serve all three ports, the bare route too, so it gets the
 * same help as the services it is compared with; the primary only forks them and stops them.
 */
import cluster, { type Worker } from 'node:cluster'
import { buildAuditService } from '@verwijsindex/audit-service'
import { buildMatchService } from '@verwijsindex/match-service'
import { loadConfig } from '@verwijsindex/shared'
import Fastify from 'fastify'

const LISTENING = 'listening on all three ports'

async function serve(): Promise<void> {
  const config = loadConfig(process.env)
  const match = await buildMatchService({ config })
  await match.listen({ port: config.ports.match, host: '127.0.0.1' })
  const audit = await buildAuditService({ config })
  await audit.listen({ port: config.ports.audit, host: '127.0.0.1' })
  const bare = Fastify()
  bare.get('/bare', async () => ({ hello: 'world' }))
  await bare.listen({ port: Number(process.env.BARE_PORT), host: '127.0.0.1' })
  // A clean exit, once, on the primary's SIGTERM or a terminal's SIGINT (which reaches every process):
  // pools closed, and a --cpu-prof profile written when one was asked for.
  let closing = false
  const close = async () => {
    if (closing) return
    closing = true
    await Promise.all([match.close(), audit.close(), bare.close()])
    process.exit(0)
  }
  process.on('SIGTERM', close)
  process.on('SIGINT', close)
  process.send?.(LISTENING)
}

/** Forks the processes; says ready once all listen; a process that dies ends the bench server. */
async function supervise(processes: number): Promise<void> {
  let stopping = false
  const started = (worker: Worker) =>
    new Promise<void>((resolve) => {
      worker.on('message', (message) => message === LISTENING && resolve())
      worker.once('exit', (code, signal) => {
        if (stopping) return
        process.stderr.write(`bench server process exited (${signal ?? `code ${code}`})\n`)
        process.exit(1)
      })
    })
  const workers = Array.from({ length: processes }, () => cluster.fork())
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, async () => {
      stopping = true
      await Promise.all(
        workers.map((worker) => {
          if (worker.isDead()) return undefined
          const exited = new Promise((resolve) => worker.once('exit', resolve))
          worker.process.kill('SIGTERM')
          return exited
        }),
      )
      process.exit(0)
    })
  }
  await Promise.all(workers.map(started))
  process.stdout.write('bench server ready\n')
}

if (cluster.isPrimary) await supervise(Number(process.env.BENCH_PROCESSES))
else await serve()
