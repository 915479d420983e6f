import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadDemo } from '@verwijsindex/match-service/demo'
import { loadConfig, migrate } from '@verwijsindex/shared'
import { type SmtpCatcher, startSmtpCatcher } from '@verwijsindex/shared/dev/smtp-catcher'
import {
  type EmbeddedPostgres,
  freePort,
  startEmbeddedPostgres,
} from '@verwijsindex/shared/embedded-postgres'
import {
  generateBsn,
  professional,
  signToken,
  TEST_AUDIT_SIGNING_KEY,
  TEST_JWT_SECRET,
  TEST_SUBJECT_KEY_SECRET,
  waitFor,
} from '@verwijsindex/shared/testing'
import pg from 'pg'

const START = fileURLToPath(new URL('../../scripts/start.ts', import.meta.url))
const TSX = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href

/** A PostgreSQL server of the test's own (never the machine's), which the test may stop, kill and stall. */
export class FaultyDatabase {
  server!: EmbeddedPostgres
  readonly log: string[] = []
  constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly settings: Record<string, string>,
  ) {}

  static async create(settings: Record<string, string>): Promise<FaultyDatabase> {
    // As root the server runs as `postgres`: its data directory's parent must be traversable.
    const parent = path.join(os.tmpdir(), `verwijsindex-fault-${process.pid}-${Date.now().toString(36)}`)
    await mkdir(parent, { recursive: true })
    await chmod(parent, 0o755)
    const db = new FaultyDatabase(path.join(parent, 'pg'), await freePort(), settings)
    await db.start()
    return db
  }

  async start(): Promise<void> {
    this.server = await startEmbeddedPostgres({
      dataDir: this.dataDir,
      port: this.port,
      settings: this.settings,
      onLog: (line) => this.log.push(line),
    })
  }

  get adminUrl(): string {
    return this.server.url
  }

  url(database: string): string {
    const url = new URL(this.server.url)
    url.pathname = `/${database}`
    return url.toString()
  }

  /** The postmaster and every backend: the processes this test started. */
  processIds(): number[] {
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(this.server.pid)], {
      encoding: 'utf8',
    })
    return [this.server.pid, ...children.split('\n').filter(Boolean).map(Number)]
  }

  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    for (const pid of this.processIds()) {
      try {
        process.kill(pid, signal)
      } catch {
        // A backend that ended meanwhile.
      }
    }
  }

  async query<T extends pg.QueryResultRow>(database: string, text: string, values: unknown[] = []) {
    const client = new pg.Client({ connectionString: this.url(database) })
    await client.connect()
    try {
      return (await client.query<T>(text, values)).rows
    } finally {
      await client.end()
    }
  }

  async destroy(): Promise<void> {
    await this.server.stop('immediate').catch(() => undefined)
    await rm(path.dirname(this.dataDir), { recursive: true, force: true })
  }
}

/** `npm start` (scripts/start.ts) in a child process of its own, so "the process exited" is observable. */
export class Services {
  child!: ChildProcess
  output = ''
  serviceExited = false
  cwd!: string
  ports: number[] = []
  catcher!: SmtpCatcher
  mailDir!: string

  static async start(databaseUrl: string, env: Record<string, string>): Promise<Services> {
    const s = new Services()
    s.cwd = await mkdtemp(path.join(os.tmpdir(), 'verwijsindex-fault-start-'))
    s.mailDir = path.join(s.cwd, 'mail')
    s.catcher = await startSmtpCatcher(s.mailDir)
    s.ports = [await freePort(), await freePort(), await freePort()]
    s.child = spawn(process.execPath, ['--conditions=source', '--import', TSX, START], {
      cwd: s.cwd,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'development',
        DATABASE_URL: databaseUrl,
        SMTP_URL: s.catcher.url,
        JWT_SECRET: TEST_JWT_SECRET,
        SUBJECT_KEY_SECRET: TEST_SUBJECT_KEY_SECRET,
        AUDIT_SIGNING_KEY: TEST_AUDIT_SIGNING_KEY,
        MATCH_SERVICE_PORT: String(s.ports[0]),
        NOTIFY_SERVICE_PORT: String(s.ports[1]),
        AUDIT_SERVICE_PORT: String(s.ports[2]),
        WEB_CONSOLE_PORT: String(await freePort()),
        RATE_LIMIT_PER_MINUTE: '1000000',
        LOG_LEVEL: 'error',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const collect = (d: Buffer) => {
      s.output += d
      // The supervisor's line when a service process died (it restarts it; the suite counts that as exiting).
      if (String(d).includes('exited unexpectedly')) s.serviceExited = true
      if (s.output.length > 200_000) s.output = s.output.slice(-100_000)
    }
    s.child.stdout?.on('data', collect)
    s.child.stderr?.on('data', collect)
    await waitFor(
      () => {
        if (s.exited) throw new Error(`npm start exited early:\n${s.output}`)
        return s.output.includes('Ready.')
      },
      { what: 'the services to start', timeoutMs: 120_000, intervalMs: 200, detail: () => s.output },
    )
    return s
  }

  /** Whether `npm start` or any service process it supervises exited (a restarted one counts too). */
  get exited(): boolean {
    return this.startExited || this.serviceExited
  }

  private get startExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null
  }

  base(service: 0 | 1 | 2): string {
    return `http://127.0.0.1:${this.ports[service]}`
  }

  /** Polls until every service's /health/ready answers 200; the seconds it took. */
  async waitUntilReady(): Promise<number> {
    const started = Date.now()
    await waitFor(
      async () => {
        if (this.exited) throw new Error(`the services' process exited:\n${this.output.slice(-5000)}`)
        const answers = await Promise.all(
          [0, 1, 2].map((i) =>
            fetch(`${this.base(i as 0 | 1 | 2)}/health/ready`, { signal: AbortSignal.timeout(5000) }).then(
              (r) => r.status,
              () => 0,
            ),
          ),
        )
        return answers.every((status) => status === 200)
      },
      { what: 'every service to be ready again', timeoutMs: 120_000, intervalMs: 250 },
    )
    return (Date.now() - started) / 1000
  }

  /** Every mail the sink received, by Message-ID (more than one: a duplicate). */
  async mailsByMessageId(): Promise<Map<string, number>> {
    const counts = new Map<string, number>()
    for (const file of await readdir(this.mailDir)) {
      const text = await readFile(path.join(this.mailDir, file), 'utf8')
      const id = /^Message-ID:\s*(\S+)/im.exec(text)?.[1] ?? file
      counts.set(id, (counts.get(id) ?? 0) + 1)
    }
    return counts
  }

  async stop(): Promise<void> {
    if (!this.startExited) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve))
      this.child.kill('SIGINT')
      await exited
    }
    await this.catcher.close()
    await rm(this.cwd, { recursive: true, force: true })
  }
}

export interface LoadCounts {
  sent: number
  acknowledged: string[]
  byStatus: Map<number, number>
  networkErrors: number
}

/**
 * Open-loop registrations at a steady rate, in pairs (two organisations register the same child, so
 * matches are made and mailed), whatever the database is doing.
 */
export class RegistrationLoad {
  readonly counts: LoadCounts = { sent: 0, acknowledged: [], byStatus: new Map(), networkErrors: 0 }
  readonly problems: string[] = []
  private timer: NodeJS.Timeout | undefined
  private readonly inFlight = new Set<Promise<void>>()
  private next = 0

  constructor(
    private readonly baseUrl: string,
    private readonly organisations: string[],
    private readonly perSecond: number,
    private readonly seedOffset: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.fire(), 1000 / this.perSecond)
  }

  private fire(): void {
    const n = this.next++
    const child = this.seedOffset + Math.floor(n / 2)
    const org = this.organisations[
      n % 2 === 0 ? child % this.organisations.length : (child + 1) % this.organisations.length
    ] as string
    const request = fetch(`${this.baseUrl}/v1/registrations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${signToken(professional(org), TEST_JWT_SECRET)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ bsn: generateBsn(child), birthDate: '2015-06-01', kind: 'concern' }),
      signal: AbortSignal.timeout(60_000),
    })
      .then(async (res) => {
        this.counts.byStatus.set(res.status, (this.counts.byStatus.get(res.status) ?? 0) + 1)
        const body = (await res.json().catch(() => ({}))) as { id?: string; code?: string }
        if (res.status === 201 && body.id) this.counts.acknowledged.push(body.id)
        if (res.status >= 500 && res.status !== 503) this.problems.push(JSON.stringify(body))
        if (res.status === 503 && res.headers.get('content-type')?.includes('problem+json') !== true) {
          this.problems.push(`503 without a problem document: ${JSON.stringify(body)}`)
        }
      })
      .catch((error: unknown) => {
        this.counts.networkErrors++
        this.problems.push(`network: ${String(error)}`)
      })
    this.counts.sent++
    const tracked = request.finally(() => this.inFlight.delete(tracked))
    this.inFlight.add(tracked)
  }

  async stop(): Promise<LoadCounts> {
    clearInterval(this.timer)
    await Promise.all([...this.inFlight])
    return this.counts
  }
}

/** Migrates a fresh database on the faulty server and loads the demo region and organisations. */
export async function prepareDatabase(db: FaultyDatabase, name: string): Promise<string> {
  await db.query('postgres', `create database ${name}`)
  return prepareDatabaseAt(db.url(name))
}

/** Migrates an existing database and loads the demo region and organisations (also the failover script). */
export async function prepareDatabaseAt(url: string): Promise<string> {
  await migrate(url, () => undefined)
  await loadDemo(
    loadConfig({
      DATABASE_URL: url,
      JWT_SECRET: TEST_JWT_SECRET,
      SUBJECT_KEY_SECRET: TEST_SUBJECT_KEY_SECRET,
    }),
  )
  return url
}

export const auditorToken = () => signToken({ sub: 'fault-auditor', roles: ['auditor'] }, TEST_JWT_SECRET)
