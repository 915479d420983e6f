/**
 * HTTP_PROCESSES=2: match-service's entry point (as the container runs it) serves its port from two
 * processes under a primary, one of which runs the background work; a killed one is replaced, and SIGTERM
 * to the primary drains them all. Which process answered is read from its own access log (pino writes the
 * pid on every line), never from an answer.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import { fileURLToPath } from 'node:url'
import { freePort } from '@verwijsindex/shared/embedded-postgres'
import {
  createTestDatabase,
  TEST_JWT_SECRET,
  TEST_SUBJECT_KEY_SECRET,
  type TestDatabase,
  waitFor,
} from '@verwijsindex/shared/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const SERVER = fileURLToPath(new URL('../../services/match-service/src/server.ts', import.meta.url))
const TSX = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href

interface LogLine {
  level: number
  pid: number
  msg: string
  process?: number
  background?: boolean
  req?: { url?: string }
}

/** The primary's HTTP processes: its children running the service (tsx's esbuild is a child too). */
function httpProcesses(primary: number): number[] {
  let pids: string
  try {
    pids = execFileSync('pgrep', ['-P', String(primary)], { encoding: 'utf8' })
  } catch {
    return []
  }
  return pids
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('match-service/src/server.ts')
      } catch {
        return false
      }
    })
    .sort()
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** GET on a connection of its own (`agent: false`), so the primary hands each to the next process. */
const get = (port: number, path: string) =>
  new Promise<number>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      })
      .on('error', reject)
  })

describe('HTTP_PROCESSES=2', () => {
  let database: TestDatabase
  let child: ChildProcess
  let output = ''
  let port: number
  /** The JSON log lines, from `since` (a length of the output) on. */
  const lines = (since = 0): LogLine[] =>
    output
      .slice(since)
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine)
  /** The pids whose access log shows a request since `since`. */
  const answeredBy = (since: number) =>
    new Set(lines(since).flatMap((l) => (l.msg === 'incoming request' ? [l.pid] : [])))

  beforeAll(async () => {
    database = await createTestDatabase()
    port = await freePort()
    child = spawn(process.execPath, ['--conditions=source', '--import', TSX, SERVER], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        DATABASE_URL: database.url,
        DATABASE_POOL_MAX: '2',
        JWT_SECRET: TEST_JWT_SECRET,
        SUBJECT_KEY_SECRET: TEST_SUBJECT_KEY_SECRET,
        MATCH_SERVICE_PORT: String(port),
        HTTP_PROCESSES: '2',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout?.on('data', (d) => {
      output += d
    })
    child.stderr?.on('data', (d) => {
      output += d
    })
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`match-service exited early:\n${output}`)
        return (await get(port, '/health/live').catch(() => 0)) === 200
      },
      { what: 'match-service to listen', timeoutMs: 60_000, intervalMs: 200, detail: () => output },
    )
  }, 90_000)

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL')
    await database.drop()
  })

  it('serves from two processes, one with the background work, replaces a killed one, and drains on SIGTERM', async () => {
    const primary = child.pid as number
    await waitFor(() => httpProcesses(primary).length === 2, { what: 'two HTTP processes' })
    const first = httpProcesses(primary)
    const started = () => lines().filter((l) => l.msg === 'started an HTTP process')
    expect(
      started()
        .map((l) => l.process)
        .sort(),
    ).toEqual(first)
    expect(started().filter((l) => l.background)).toHaveLength(1)

    // Connections go round the processes that listen: both answer, once both listen.
    const listening = () =>
      new Set(lines().flatMap((l) => (l.msg.startsWith('Server listening') ? [l.pid] : [])))
    await waitFor(() => first.every((pid) => listening().has(pid)), {
      what: 'both processes to listen',
      timeoutMs: 60_000,
      intervalMs: 100,
      detail: () => output,
    })
    const before = output.length
    for (let i = 0; i < 10; i++) expect(await get(port, '/health/live')).toBe(200)
    await waitFor(() => answeredBy(before).size === 2, {
      what: 'both processes to log their requests',
      detail: () => output,
    })
    expect([...answeredBy(before)].sort()).toEqual(first)

    // The background process is killed: the primary replaces it with another background process.
    const background = started().find((l) => l.background)?.process as number
    process.kill(background, 'SIGKILL')
    await waitFor(
      () => {
        // Its process shows in the process tree before the primary's line about it reaches this pipe.
        const now = httpProcesses(primary)
        const replacement = now.find((pid) => !first.includes(pid))
        return (
          now.length === 2 && !now.includes(background) && started().some((l) => l.process === replacement)
        )
      },
      { what: 'the killed process to be replaced', timeoutMs: 30_000, intervalMs: 100, detail: () => output },
    )
    const replaced = httpProcesses(primary)
    const replacement = replaced.find((pid) => !first.includes(pid)) as number
    expect(started().find((l) => l.process === replacement)?.background).toBe(true)
    expect(output).toMatch(/an HTTP process exited unexpectedly/)
    const afterKill = output.length
    await waitFor(
      async () => {
        expect(await get(port, '/health/ready')).toBe(200)
        return answeredBy(afterKill).has(replacement)
      },
      { what: 'the replacement to answer', timeoutMs: 30_000, intervalMs: 100, detail: () => output },
    )

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(replaced.filter(alive)).toEqual([])
    expect(lines().filter((l) => l.level >= 50 && !l.msg.includes('exited unexpectedly'))).toEqual([])
  }, 120_000)
})
