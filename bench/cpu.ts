/**
 * Where each answer's CPU goes: the bench notes, beside the server's CPU time, PostgreSQL's (the postmaster
 * and all its processes) and the client's (the load generator in this process, or pgbench). On a machine
 * whose cores are all busy, a route's throughput against pgbench's can be no better than the ratio of their
 * CPU per answer, so these figures say what stands between the measured ratio and the goal.
 */
import type pg from 'pg'
import { processTimes, processTreeCpuMs, ticksToMs } from './process-cpu.js'

/**
 * A reader of the CPU milliseconds PostgreSQL has spent so far, when its server runs on this machine: the
 * postmaster's process tree (backends, WAL writer, checkpointer, and those that already exited). Undefined
 * for a server elsewhere.
 */
export async function postgresCpu(client: pg.Client): Promise<(() => number) | undefined> {
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid')
  const postmaster = rows[0] && processTimes(rows[0].pid)?.parent
  return postmaster ? () => processTreeCpuMs(postmaster) : undefined
}

/**
 * The CPU milliseconds of this process (the load generator) and of its children that exited and were waited
 * for (pgbench; not the server or an embedded PostgreSQL, which live on).
 */
export function benchCpu(): { self: number; children: number } {
  const { user, system } = process.cpuUsage()
  return { self: (user + system) / 1000, children: ticksToMs(processTimes('self')?.children ?? 0) }
}
