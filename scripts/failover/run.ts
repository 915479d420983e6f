/**
 * `npm run test:failover` (by hand, as root, not part of `npm test`): a real failover under load.
 * pg_auto_failover (Debian's postgresql-15-auto-failover, installed with `apt-get install --no-upgrade`
 * when missing) runs a monitor, a primary and a secondary on free ports under a temporary folder, as
 * the postgres OS user; never the machine's own server. `npm start` runs the services against the
 * multi-host URL `postgres://postgres@127.0.0.1:p1,127.0.0.1:p2/verwijsindex?target_session_attrs=read-write`
 * while registrations arrive at a steady rate; the primary is killed (SIGKILL of its keeper and its
 * PostgreSQL: a lost machine), the monitor promotes the secondary, and the script reports the seconds
 * without service, acknowledged registrations lost, 500s and duplicate mails. Everything is removed
 * afterwards. FAILOVER_RATE (registrations per second, default 20), FAILOVER_AFTER_SECONDS (load after
 * the failover, default 20).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { freePort } from '@verwijsindex/shared/embedded-postgres'
import pg from 'pg'
import { prepareDatabaseAt, RegistrationLoad, Services } from '../../tests/fault/harness.js'

const PG_BIN = '/usr/lib/postgresql/15/bin'
const PACKAGE = 'postgresql-15-auto-failover'
const RATE = Number(process.env.FAILOVER_RATE ?? 20)
const AFTER_SECONDS = Number(process.env.FAILOVER_AFTER_SECONDS ?? 20)
const ORGANISATIONS = ['zuidzorg', 'ggd-jgz-4-19', 'basisschool-regenboog', 'politie-zob']
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const say = (line: string) => process.stdout.write(`${line}\n`)

function ensurePackage(): void {
  if (spawnSync('which', ['pg_autoctl']).status === 0) return
  say(`installing ${PACKAGE} ...`)
  const install = spawnSync('apt-get', ['install', '-y', '--no-upgrade', PACKAGE], { stdio: 'inherit' })
  if (install.status !== 0) throw new Error(`apt-get install ${PACKAGE} failed (run apt-get update first?)`)
}

const userId = (flag: string) =>
  Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim())

class Cluster {
  readonly children: ChildProcess[] = []
  readonly logs = new Map<string, string>()
  ports = { monitor: 0, node1: 0, node2: 0 }
  private constructor(readonly dir: string) {}

  static async create(): Promise<Cluster> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'verwijsindex-failover-'))
    await chmod(dir, 0o755)
    spawnSync('chown', ['-R', 'postgres:postgres', dir])
    const cluster = new Cluster(dir)
    cluster.ports = { monitor: await freePort(), node1: await freePort(), node2: await freePort() }
    return cluster
  }

  private env(): NodeJS.ProcessEnv {
    return {
      PATH: `${PG_BIN}:${process.env.PATH}`,
      HOME: this.dir,
      XDG_CONFIG_HOME: path.join(this.dir, 'config'),
      XDG_DATA_HOME: path.join(this.dir, 'share'),
      XDG_RUNTIME_DIR: path.join(this.dir, 'run'),
      PG_CONFIG: `${PG_BIN}/pg_config`,
    }
  }

  /** A long-running `pg_autoctl create … --run` of its own process group, as the postgres user. */
  run(name: string, args: string[]): ChildProcess {
    const child = spawn('pg_autoctl', [...args, '--run'], {
      uid: userId('-u'),
      gid: userId('-g'),
      env: this.env(),
      cwd: this.dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const collect = (d: Buffer) => this.logs.set(name, `${this.logs.get(name) ?? ''}${d}`.slice(-50_000))
    child.stdout?.on('data', collect)
    child.stderr?.on('data', collect)
    this.children.push(child)
    return child
  }

  get monitorUrl(): string {
    return `postgres://autoctl_node@127.0.0.1:${this.ports.monitor}/pg_auto_failover?sslmode=disable`
  }

  get databaseUrl(): string {
    const { node1, node2 } = this.ports
    return `postgres://postgres@127.0.0.1:${node1},127.0.0.1:${node2}/verwijsindex?target_session_attrs=read-write`
  }

  startMonitor(): void {
    this.run('monitor', [
      'create',
      'monitor',
      ...['--pgdata', path.join(this.dir, 'monitor'), '--pgport', String(this.ports.monitor)],
      ...['--hostname', '127.0.0.1', '--auth', 'trust', '--no-ssl'],
    ])
  }

  startNode(name: 'node1' | 'node2'): ChildProcess {
    return this.run(name, [
      'create',
      'postgres',
      ...['--pgdata', path.join(this.dir, name), '--pgport', String(this.ports[name]), '--name', name],
      ...['--hostname', '127.0.0.1', '--auth', 'trust', '--no-ssl', '--dbname', 'verwijsindex'],
      ...['--monitor', this.monitorUrl],
    ])
  }

  async monitorQuery<T extends pg.QueryResultRow>(text: string): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.monitorUrl, connectionTimeoutMillis: 2000 })
    client.on('error', () => undefined)
    await client.connect()
    try {
      return (await client.query<T>(text)).rows
    } finally {
      await client.end().catch(() => undefined)
    }
  }

  async states(): Promise<Record<string, string> | null> {
    const rows = await this.monitorQuery<{ nodename: string; reportedstate: string; goalstate: string }>(
      'select nodename, reportedstate, goalstate from pgautofailover.node order by nodeid',
    ).catch(() => null)
    if (!rows) return null
    return Object.fromEntries(rows.map((r) => [r.nodename, `${r.reportedstate}/${r.goalstate}`]))
  }

  async waitForStates(wanted: Record<string, string>, what: string, timeoutMs = 180_000): Promise<number> {
    const started = Date.now()
    let last: Record<string, string> | null = null
    while (Date.now() - started < timeoutMs) {
      last = await this.states()
      if (last && Object.entries(wanted).every(([node, state]) => last?.[node] === `${state}/${state}`)) {
        return (Date.now() - started) / 1000
      }
      await sleep(500)
    }
    throw new Error(
      `${what}: states ${JSON.stringify(last)}\n${[...this.logs].map(([n, l]) => `--- ${n}\n${l.slice(-3000)}`).join('\n')}`,
    )
  }

  /** A lost machine: SIGKILL the node's keeper process group and its PostgreSQL server. */
  async kill(name: 'node1' | 'node2', keeper: ChildProcess): Promise<void> {
    const pidFile = await readFile(path.join(this.dir, name, 'postmaster.pid'), 'utf8').catch(() => '')
    if (keeper.pid) {
      try {
        process.kill(-keeper.pid, 'SIGKILL')
      } catch {}
    }
    const postmaster = Number(pidFile.split('\n')[0])
    if (postmaster) {
      try {
        process.kill(postmaster, 'SIGKILL')
      } catch {}
    }
  }

  async destroy(): Promise<void> {
    for (const child of this.children) {
      if (child.pid && child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGTERM')
        } catch {}
      }
    }
    await sleep(3000)
    for (const name of ['node1', 'node2', 'monitor']) {
      const pidFile = await readFile(path.join(this.dir, name, 'postmaster.pid'), 'utf8').catch(() => '')
      const pid = Number(pidFile.split('\n')[0])
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {}
      }
    }
    for (const child of this.children) {
      if (child.pid && child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL')
        } catch {}
      }
    }
    await rm(this.dir, { recursive: true, force: true })
  }
}

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(text, values)).rows
  } finally {
    await client.end()
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: the cluster runs as the postgres user')
  ensurePackage()
  const cluster = await Cluster.create()
  let services: Services | undefined
  let load: RegistrationLoad | undefined
  const figures: Record<string, unknown> = {}
  const stopping = async () => {
    await load?.stop().catch(() => undefined)
    await services?.stop().catch(() => undefined)
    await cluster.destroy()
  }
  process.once('SIGINT', () => void stopping().then(() => process.exit(130)))
  try {
    say(`cluster in ${cluster.dir}, ports ${JSON.stringify(cluster.ports)}`)
    cluster.startMonitor()
    await cluster.waitForStates({}, 'the monitor', 120_000)
    const node1 = cluster.startNode('node1')
    await cluster.waitForStates({ node1: 'single' }, 'node1 as single')
    cluster.startNode('node2')
    figures['seconds to a replicated pair'] = await cluster.waitForStates(
      { node1: 'primary', node2: 'secondary' },
      'node1 primary, node2 secondary',
    )
    const primary1 = `postgres://postgres@127.0.0.1:${cluster.ports.node1}/verwijsindex`
    const [sync] = await query<{ synchronous_standby_names: string }>(
      primary1,
      'show synchronous_standby_names',
    )
    figures.synchronous_standby_names = sync?.synchronous_standby_names
    const [formation] = await cluster.monitorQuery<{ n: number }>(
      "select number_sync_standbys as n from pgautofailover.formation where formationid = 'default'",
    )
    figures.number_sync_standbys = formation?.n
    say(`pair ready: ${JSON.stringify(figures)}`)

    const url = cluster.databaseUrl
    await prepareDatabaseAt(url)
    services = await Services.start(url, {
      DATABASE_POOL_MAX: '4',
      DATABASE_ACQUIRE_TIMEOUT_MS: '3000',
      LOG_LEVEL: 'warn',
    })
    load = new RegistrationLoad(services.base(0), ORGANISATIONS, RATE, 50_000)
    load.start()
    await sleep(10_000)

    // Seconds without service: the longest gap between two acknowledged registrations around the kill.
    let lastAck = Date.now()
    let seen = load.counts.acknowledged.length
    let longestGap = 0
    const sampler = setInterval(() => {
      const n = load?.counts.acknowledged.length ?? 0
      if (n > seen) {
        longestGap = Math.max(longestGap, Date.now() - lastAck)
        lastAck = Date.now()
        seen = n
      }
    }, 50)
    const ackedBefore = load.counts.acknowledged.length
    say(`killing node1 (primary) after ${ackedBefore} acknowledged registrations`)
    const killedAt = Date.now()
    await cluster.kill('node1', node1)
    figures['seconds until the monitor promoted node2'] = await cluster.waitForStates(
      { node2: 'wait_primary' },
      'node2 promoted',
    )
    const survivorUrl = `postgres://postgres@127.0.0.1:${cluster.ports.node2}/verwijsindex`
    figures['node2 after promotion'] = await query(
      survivorUrl,
      "select pg_is_in_recovery() as in_recovery, current_setting('synchronous_standby_names') as sync",
    ).catch((error: Error) => error.message)
    while (load.counts.acknowledged.length === ackedBefore && Date.now() - killedAt < 120_000) await sleep(50)
    figures['problems right after the kill'] = load.problems.slice(0, 3)
    figures['seconds from kill to the first acknowledged registration'] = (Date.now() - killedAt) / 1000
    await sleep(AFTER_SECONDS * 1000)
    clearInterval(sampler)
    const counts = await load.stop()
    const problems = load.problems.slice(0, 5)
    load = undefined
    figures['seconds without service (longest gap between 201s)'] = longestGap / 1000

    // Let notify deliver what is queued, then count.
    const survivor = `postgres://postgres@127.0.0.1:${cluster.ports.node2}/verwijsindex`
    const drainStarted = Date.now()
    while (Date.now() - drainStarted < 120_000) {
      const [pending] = await query<{ n: number }>(
        survivor,
        `select (select count(*) from notify.notifications where status = 'pending')::int
              + (select count(*) from pgboss.job where name = 'notifications' and state in ('created', 'retry', 'active'))::int as n`,
      )
      if (pending?.n === 0) break
      await sleep(1000)
    }
    const [stored] = await query<{ n: number }>(
      survivor,
      'select count(*)::int as n from match.registrations where id = any($1::uuid[])',
      [counts.acknowledged],
    )
    const mails = await services.mailsByMessageId()
    const statuses = Object.fromEntries([...counts.byStatus].sort(([a], [b]) => a - b))
    Object.assign(figures, {
      rate: RATE,
      'registrations sent': counts.sent,
      'answers by status': statuses,
      'acknowledged (201)': counts.acknowledged.length,
      'acknowledged registrations lost': counts.acknowledged.length - (stored?.n ?? 0),
      '500s': [...counts.byStatus].filter(([s]) => s >= 500 && s !== 503).reduce((a, [, n]) => a + n, 0),
      'network errors': counts.networkErrors,
      'mails received': [...mails.values()].reduce((a, b) => a + b, 0),
      'duplicate mails': [...mails.values()].reduce((a, n) => a + n - 1, 0),
      'services process still running': !services.exited,
      'problems (first 5)': problems,
    })
  } finally {
    say(JSON.stringify(figures, null, 2))
    if (process.env.FAILOVER_VERBOSE) say(services?.output.slice(-4000) ?? '')
    await stopping()
  }
}

await main()
