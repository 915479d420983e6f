/**
 * Where each answer's CPU goes: the bench notes, beside the server's own CPU time, PostgreSQL's (the
 * postmaster and all its processes) and the client's (the load generator in this process, or pgbench).
 * On a machine whose cores are all busy, a route's throughput against pgbench's can be no better than the
 * ratio of their CPU per answer, so these figures say what stands between the measured ratio and the goal.
 */
import { readdirSync, readFileSync } from 'node:fs'
import type pg from 'pg'

const TICK_MS = 10 // USER_HZ is 100 on Linux

/** utime, stime, cutime and cstime of a process, in ms; undefined when it is gone or not on this machine. */
function times(pid: number | string): { own: number; children: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command may hold spaces: the fields after it start past the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]) * TICK_MS)
    return { own: (utime ?? 0) + (stime ?? 0), children: (cutime ?? 0) + (cstime ?? 0) }
  } catch {
    return undefined
  }
}

function parentOf(pid: string): number | undefined {
  try {
    return Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1])
  } catch {
    return undefined
  }
}

/**
 * A reader of the CPU milliseconds PostgreSQL has spent so far, when its server runs on this machine: the
 * postmaster's own and its reaped children's, plus every live child's (backends, WAL writer, checkpointer).
 * Undefined for a server elsewhere.
 */
export async function postgresCpu(client: pg.Client): Promise<(() => number) | undefined> {
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid')
  const postmaster = parentOf(String(rows[0]?.pid))
  if (!postmaster || !times(postmaster)) return undefined
  return () => {
    const main = times(postmaster)
    let total = main ? main.own + main.children : 0
    for (const pid of readdirSync('/proc')) {
      if (/^\d+$/.test(pid) && parentOf(pid) === postmaster) total += times(pid)?.own ?? 0
    }
    return total
  }
}

/** The CPU milliseconds of this process (the load generator) and of its reaped children (pgbench). */
export function benchCpu(): { self: number; children: number } {
  const { user, system } = process.cpuUsage()
  return { self: (user + system) / 1000, children: times('self')?.children ?? 0 }
}
