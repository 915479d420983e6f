/**
 * HTTP_PROCESSES > 1: a service's port is served by that many processes (node:cluster), as replicas on one
 * machine would serve it, so one event loop is no longer the ceiling. The primary only forks and
 * supervises; each HTTP process builds the whole service with a pool of its own, and exactly one of them
 * also runs the background work (queue consumers, schedules, the audit sealer): those are safe in every
 * replica, but more copies would only hold more connections. A process that dies is replaced, the
 * background one by another background one; one that dies before it ever listened ends the service
 * (exit 1), as a single process that cannot start does. SIGTERM or SIGINT to the primary drains them all.
 */
import cluster, { type Worker } from 'node:cluster'
import type { Logger } from './logger.js'

/** Set in the environment of the one HTTP process that also runs the background work. */
const BACKGROUND_WORK = 'VERWIJSINDEX_BACKGROUND_WORK'
/** The primary's request to an HTTP process: drain and exit. */
const DRAIN = 'verwijsindex:drain'
/** How long a draining process may take before it is killed (its own grace period is 10 s). */
const DRAIN_GRACE_MS = 15_000

/** Whether this process runs the service's background work: a single process does, else the marked one. */
export function runsBackgroundWork(): boolean {
  return cluster.isPrimary || process.env[BACKGROUND_WORK] === 'true'
}

/** The primary's whole job: fork `count` HTTP processes, replace the dead, drain all on a signal. */
export function superviseHttpProcesses(count: number, log: Logger): void {
  let stopping = false
  let replacements = 0
  const listened = new WeakSet<Worker>()

  const fork = (background: boolean) => {
    const worker = cluster.fork(background ? { [BACKGROUND_WORK]: 'true' } : {})
    log.info({ process: worker.process.pid, background }, 'started an HTTP process')
    worker.once('listening', () => listened.add(worker))
    worker.once('exit', (code, signal) => {
      if (stopping) return
      const how = { process: worker.process.pid, code, signal, background }
      if (!listened.has(worker)) {
        log.error(how, 'an HTTP process exited before it listened; stopping the service')
        void stop(1)
        return
      }
      const delay = Math.min(30_000, 1000 * 2 ** Math.min(replacements, 5))
      replacements++
      log.error(how, `an HTTP process exited unexpectedly; replacing it in ${delay / 1000} s`)
      setTimeout(() => {
        if (!stopping) fork(background)
      }, delay)
    })
  }

  const drain = (worker: Worker) =>
    new Promise<void>((resolve) => {
      if (worker.isDead()) return resolve()
      const timer = setTimeout(() => worker.process.kill('SIGKILL'), DRAIN_GRACE_MS)
      worker.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      // A process already gone from the channel is exiting anyway; the callback keeps that from throwing.
      if (worker.isConnected()) worker.send(DRAIN, () => undefined)
    })

  const stop = async (exitCode: number) => {
    if (stopping) return
    stopping = true
    await Promise.all(Object.values(cluster.workers ?? {}).flatMap((w) => (w ? [drain(w)] : [])))
    process.exit(exitCode)
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(0))
  for (let i = 0; i < count; i++) fork(i === 0)
}

/**
 * An HTTP process drains once, on whichever comes first: the primary's request or a signal. A terminal's
 * Ctrl-C, or a service manager's SIGTERM, reaches every process of the group and the primary's request
 * follows; close-with-grace would end the process at once on the second, cutting its drain short.
 */
export function drainOnceAsked(drain: () => void): void {
  let draining = false
  const once = () => {
    if (draining) return
    draining = true
    drain()
  }
  process.on('message', (message) => {
    if (message === DRAIN) once()
  })
  process.on('SIGTERM', once)
  process.on('SIGINT', once)
}
