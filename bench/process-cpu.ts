import { readdirSync, readFileSync } from 'node:fs'

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100

interface ProcessTimes {
  parent: number
  /** utime + stime, in ticks. */
  own: number
  /** cutime + cstime: its children that exited and were waited for, in ticks. */
  children: number
}

/** A process's parent and CPU times from /proc (`'self'` for this one); undefined when it is gone. */
export function processTimes(pid: number | 'self'): ProcessTimes | undefined {
  try {
    // The fields after the command's closing parenthesis: state, ppid, …, utime (11), stime, cutime, cstime.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]))
    return { parent: Number(fields[1]), own: utime! + stime!, children: cutime! + cstime! }
  } catch {
    return undefined
  }
}

/** Ticks of /proc as milliseconds. */
export const ticksToMs = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND

/**
 * CPU milliseconds (user + system) that process `pid` and every process under it have used so far, from
 * /proc: a server of several processes (node:cluster) is measured whole, including any that already exited.
 * 0 without /proc.
 */
export function processTreeCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0
  let entries: string[]
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return 0
  }
  const children = new Map<number, number[]>()
  const all = new Map<number, ProcessTimes>()
  for (const entry of entries) {
    const found = processTimes(Number(entry))
    if (!found) continue
    all.set(Number(entry), found)
    children.set(found.parent, [...(children.get(found.parent) ?? []), Number(entry)])
  }
  let ticks = 0
  const pending = [pid]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const found = all.get(next)
    ticks += found ? found.own + found.children : 0
    pending.push(...(children.get(next) ?? []))
  }
  return ticksToMs(ticks)
}
