/**
 * Where each answer's CPU goes: the bench notes, beside the server's CPU time, PostgreSQL's (the postmaster
 * and all its processes) and the client's (the load generator in this process, or pgbench). On a machine
 * whose cores are all busy, a route's throughput against pgbench's can be no better than the ratio of their
 * CPU per answer, so these figures say what stands between the measured ratio and the goal.
 */
import { readFileSync } from 'node:fs'
import type pg from 'pg'
import { processTreeCpuMs, TICKS_PER_SECOND } from './process-cpu.js'

/**
 * A reader of the CPU milliseconds PostgreSQL has spent so far, when its server runs on this machine: the
 * postmaster's process tree (backends, WAL writer, checkpointer, and those that already exited). Undefined
 * for a server elsewhere.
 */
export async function postgresCpu(client: pg.Client): Promise<(() => number) | undefined> {
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid')
  let postmaster: number | undefined
  try {
    postmaster = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${rows[0]?.pid}/status`, 'utf8'))?.[1])
  } catch {
    return undefined
  }
  return postmaster ? () => processTreeCpuMs(postmaster) : undefined
}

/**
 * The CPU milliseconds of this process (the load generator) and of its children that exited and were waited
 * for (pgbench; not the server or an embedded PostgreSQL, which live on): /proc's cutime and cstime.
 */
export function benchCpu(): { self: number; children: number } {
  const { user, system } = process.cpuUsage()
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? []
  const children = (Number(fields[13]) + Number(fields[14])) * (1000 / TICKS_PER_SECOND)
  return { self: (user + system) / 1000, children: Number.isFinite(children) ? children : 0 }
}
