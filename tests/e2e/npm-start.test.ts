import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '@verwijsindex/shared/embedded-postgres'
import { waitFor } from '@verwijsindex/shared/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const START = fileURLToPath(new URL('../../scripts/start.ts', import.meta.url))
// `--import tsx` would resolve from the working directory, which here is an empty folder.
const TSX = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href

interface Started {
  child: ChildProcess
  output: () => string
  ports: number[]
}

async function start(cwd: string): Promise<Started> {
  const ports = [await freePort(), await freePort(), await freePort()]
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    MATCH_SERVICE_PORT: String(ports[0]),
    NOTIFY_SERVICE_PORT: String(ports[1]),
    AUDIT_SERVICE_PORT: String(ports[2]),
    LOG_LEVEL: 'warn',
  }
  const child = spawn(process.execPath, ['--conditions=source', '--import', TSX, START], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own, as a terminal gives a foreground job: Ctrl-C signals the whole group.
    detached: true,
  })
  let output = ''
  child.stdout?.on('data', (d) => {
    output += d
  })
  child.stderr?.on('data', (d) => {
    output += d
  })
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`)
      return output.includes('Ready.')
    },
    { what: 'npm start to become ready', timeoutMs: 90_000, intervalMs: 200, detail: () => output },
  )
  return { child, output: () => output, ports }
}

async function stop(started: Started, how: 'process' | 'group' = 'process'): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => started.child.once('exit', (code) => resolve(code)))
  if (how === 'group') process.kill(-(started.child.pid as number), 'SIGINT')
  else started.child.kill('SIGINT')
  return exited
}

/** The service processes npm start supervises: pid and which service each runs. */
function serviceProcesses(startPid: number): { pid: number; service: string }[] {
  let pids: string
  try {
    pids = execFileSync('pgrep', ['-P', String(startPid)], { encoding: 'utf8' })
  } catch {
    return []
  }
  return pids
    .split('\n')
    .filter(Boolean)
    .flatMap((pid) => {
      try {
        const cmdline = execFileSync('cat', [`/proc/${pid}/cmdline`], { encoding: 'utf8' })
        const service = /services\/([a-z-]+)\/src\/server\.ts/.exec(cmdline)?.[1]
        return service ? [{ pid: Number(pid), service }] : []
      } catch {
        return []
      }
    })
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const postgresRunningIn = (dir: string) => {
  try {
    return execFileSync('pgrep', ['-f', `postgres -D ${dir}`], { encoding: 'utf8' }).trim() !== ''
  } catch {
    return false
  }
}

describe('npm start on a fresh machine (embedded PostgreSQL, no configuration)', () => {
  let cwd: string
  beforeAll(async () => {
    // mkdtemp makes a private (700) folder: like a checkout under a private home directory, which the
    // postgres user cannot enter when we run as root.
    cwd = await mkdtemp(path.join(os.tmpdir(), 'verwijsindex-start-'))
  })
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true })
  })

  it('brings up three ready services in processes of their own, prints URLs and tokens, restarts a dead one, stops cleanly, and reuses its data', async () => {
    const first = await start(cwd)
    for (const port of first.ports) {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`)
      expect(res.status).toBe(200)
    }
    const out = first.output()
    expect(out).toMatch(
      new RegExp(
        `match-service\\s+http://127\\.0\\.0\\.1:${first.ports[0]}\\s+docs http://127\\.0\\.0\\.1:${first.ports[0]}/docs`,
      ),
    )
    expect(out).toMatch(/admin\s+eyJ/)
    expect(out).toMatch(/professional zuidzorg\s+eyJ/)
    expect(out).toContain('migration 0001_foundation: Success')

    // A printed token works against the running service: the demo organisations are there.
    const tokens = await readFile(path.join(cwd, '.data', 'tokens.env'), 'utf8')
    // `source .data/tokens.env` exports them, so programs started from that shell see them too.
    expect(tokens).toMatch(/^export TOKEN_ADMIN=eyJ/m)
    expect(tokens).toMatch(/^export TOKEN_ZUIDZORG=eyJ/m)
    expect(tokens.split('\n').filter((l) => l && !l.startsWith('export '))).toEqual([])
    const admin = /TOKEN_ADMIN=(\S+)/.exec(tokens)?.[1]
    const orgs = await fetch(`http://127.0.0.1:${first.ports[0]}/v1/organisations?limit=100`, {
      headers: { authorization: `Bearer ${admin}` },
    })
    expect(orgs.status).toBe(200)
    const body = (await orgs.json()) as { items: { sector: string }[] }
    expect(new Set(body.items.map((o) => o.sector)).size).toBeGreaterThanOrEqual(10)

    // Each service runs in a process of its own; one that dies is restarted and serves again.
    const children = serviceProcesses(first.child.pid as number)
    expect(children.map((c) => c.service).sort()).toEqual([
      'audit-service',
      'match-service',
      'notify-service',
      'web-console',
    ])
    const match = children.find((c) => c.service === 'match-service') as { pid: number }
    process.kill(match.pid, 'SIGKILL')
    await waitFor(() => first.output().includes('match-service exited unexpectedly (SIGKILL)'), {
      what: 'the supervisor to notice',
      timeoutMs: 10_000,
    })
    await waitFor(
      async () =>
        (await fetch(`http://127.0.0.1:${first.ports[0]}/health/ready`).catch(() => undefined))?.status ===
        200,
      { what: 'match-service to be restarted', timeoutMs: 60_000, intervalMs: 250 },
    )
    const restarted = serviceProcesses(first.child.pid as number)
    expect(restarted).toHaveLength(4)

    const secrets = await readFile(path.join(cwd, '.data', 'secrets.json'), 'utf8')
    const dataDir = /data in (\S+)\)/.exec(out)?.[1] as string
    expect(postgresRunningIn(dataDir)).toBe(true)
    expect(await stop(first)).toBe(0)
    expect(postgresRunningIn(dataDir)).toBe(false)
    // No service process outlives npm start.
    expect(restarted.filter((c) => alive(c.pid))).toEqual([])

    const second = await start(cwd)
    expect(second.output()).not.toContain('migration 0001_foundation')
    expect(await readFile(path.join(cwd, '.data', 'secrets.json'), 'utf8')).toBe(secrets)
    const again = await fetch(`http://127.0.0.1:${second.ports[0]}/v1/organisations?limit=100`, {
      headers: { authorization: `Bearer ${admin}` },
    })
    expect(((await again.json()) as { items: unknown[] }).items).toHaveLength(body.items.length)
    // Ctrl-C in a terminal signals the whole process group, the embedded PostgreSQL's too unless it has
    // a group of its own: the services must stop before their database, without errors.
    const before = second.output().length
    expect(await stop(second, 'group')).toBe(0)
    const shutdown = second.output().slice(before)
    expect(shutdown).toContain('SIGINT: stopping')
    expect(shutdown).not.toMatch(/"level":(50|60)/)
    expect(shutdown).not.toMatch(/ERROR|Error:/)
    expect(postgresRunningIn(dataDir)).toBe(false)
  }, 180_000)
})
