/**
 * `npm start`: the whole index on one machine with nothing installed beforehand. Without DATABASE_URL
 * it runs an embedded PostgreSQL under ./.data/, without SMTP_URL a mail catcher writing to
 * ./.data/mail/; it migrates, loads the demo, starts the three services and the console, each in a
 * process of its own (scripts/service-processes.ts), and prints how to call them.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { DEMO_ORGANISATIONS, loadDemo } from '@verwijsindex/match-service/demo'
import {
  type Config,
  loadConfigOrExit,
  migrate,
  OPERATOR_ROLES,
  survivePromisesRejectedByLostConnections,
} from '@verwijsindex/shared'
import { loadOrCreateDevSecrets } from '@verwijsindex/shared/dev/secrets'
import { type SmtpCatcher, startSmtpCatcher } from '@verwijsindex/shared/dev/smtp-catcher'
import {
  type DevelopmentIdentity,
  developmentClaims,
  mintDevelopmentToken,
  tokenVariable,
} from '@verwijsindex/shared/dev/tokens'
import { type EmbeddedPostgres, startEmbeddedPostgres } from '@verwijsindex/shared/embedded-postgres'
import closeWithGrace from 'close-with-grace'
import pg from 'pg'
import { ServiceProcess } from './service-processes.js'

const DATA_DIR = path.resolve('.data')
const say = (line = '') => process.stdout.write(`${line}\n`)

/** As root the server runs as `postgres`, which cannot enter a private home; then keep data elsewhere. */
function postgresDataDir(): string {
  const preferred = path.join(DATA_DIR, 'pg')
  if (process.getuid?.() !== 0) return preferred
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim())
  const reachable = spawnSync('test', ['-x', DATA_DIR], {
    uid: id('-u') || undefined,
    gid: id('-g') || undefined,
  })
  if (reachable.status === 0) return preferred
  const hash = createHash('sha256').update(DATA_DIR).digest('hex').slice(0, 12)
  return path.join('/var/lib/verwijsindex', hash, 'pg')
}

async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name])
  if (!rowCount) await client.query(`create database ${name}`)
  await client.end()
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}

async function main() {
  await mkdir(DATA_DIR, { recursive: true })
  const env = { ...process.env }
  const production = env.NODE_ENV === 'production'
  let embedded: EmbeddedPostgres | undefined
  let catcher: SmtpCatcher | undefined
  const processes: ServiceProcess[] = []

  survivePromisesRejectedByLostConnections({
    warn: (_context: unknown, message?: string) => say(`warning: ${message}`),
  })
  closeWithGrace({ delay: 15_000, skip: ['unhandledRejection'] }, async ({ err, signal }) => {
    if (err) process.stderr.write(`${err.stack ?? err}\n`)
    if (signal) say(`\n${signal}: stopping`)
    await Promise.all(processes.map((p) => p.stop()))
    await catcher?.close()
    await embedded?.stop()
  })

  if (!production) {
    const secrets = await loadOrCreateDevSecrets(DATA_DIR)
    if (!env.JWT_SECRET && !env.JWT_PUBLIC_KEY && !env.JWKS_URL) env.JWT_SECRET = secrets.JWT_SECRET
    env.SUBJECT_KEY_SECRET ||= secrets.SUBJECT_KEY_SECRET
    env.AUDIT_SIGNING_KEY ||= secrets.AUDIT_SIGNING_KEY
    if (!env.DATABASE_URL) {
      const dataDir = postgresDataDir()
      // Every folder above the data directory must be traversable by the postgres user.
      if (!dataDir.startsWith(DATA_DIR)) {
        await mkdir(path.dirname(dataDir), { recursive: true })
        await chmod(path.dirname(path.dirname(dataDir)), 0o755)
        await chmod(path.dirname(dataDir), 0o755)
      }
      say(`Starting embedded PostgreSQL (data in ${dataDir}) ...`)
      embedded = await startEmbeddedPostgres({ dataDir, password: secrets.POSTGRES_PASSWORD })
      env.DATABASE_URL = await ensureDatabase(embedded.url, 'verwijsindex')
    }
    if (!env.SMTP_URL) {
      catcher = await startSmtpCatcher(path.join(DATA_DIR, 'mail'))
      env.SMTP_URL = catcher.url
    }
  }
  env.TRUSTED_PROXIES ||= '127.0.0.1,::1'
  const config: Config = loadConfigOrExit(env)

  await migrate(config.databaseUrl, (line) => say(`  ${line}`))
  if (embedded) await loadDemo(config)

  const services = [
    { name: 'match-service', port: config.ports.match, what: 'docs' },
    { name: 'notify-service', port: config.ports.notify, what: 'docs' },
    { name: 'audit-service', port: config.ports.audit, what: 'docs' },
    // The console calls the services over HTTP like any client; they believe its forwarded browser address.
    { name: 'web-console', port: config.ports.console, what: 'sign in there as a demo user' },
  ]
  for (const service of services) {
    processes.push(new ServiceProcess(service.name, service.port, config.host, env))
  }
  await Promise.all(processes.map((p) => p.start()))
  say()
  for (const service of services) {
    const base = `http://${config.host}:${service.port}`
    say(
      `${service.name.padEnd(15)} ${base}   ${service.what === 'docs' ? `docs ${base}/docs` : service.what}`,
    )
  }
  say()
  say(`database     ${embedded ? `embedded PostgreSQL on port ${embedded.port}` : 'DATABASE_URL'}`)
  say(
    `mail         ${catcher ? `caught in ${path.join(DATA_DIR, 'mail')}` : `sent to ${config.smtpUrl ?? 'nowhere'}`}`,
  )
  if (config.jwt.secret && !production) {
    const secret = config.jwt.secret
    const options = {
      ...(config.jwt.issuer ? { issuer: config.jwt.issuer } : {}),
      ...(config.jwt.audience ? { audience: config.jwt.audience } : {}),
    }
    const identities: DevelopmentIdentity[] = [
      ...OPERATOR_ROLES.map((role) => ({ role })),
      ...DEMO_ORGANISATIONS.map((org) => ({
        role: 'professional' as const,
        organisation: org.id,
        name: `Professional ${org.name}`,
      })),
    ]
    const lines: string[] = []
    say('\nDevelopment tokens (12 hours; Authorization: Bearer <token>):')
    for (const identity of identities) {
      const token = mintDevelopmentToken(developmentClaims(identity), secret, options)
      const label = identity.role === 'professional' ? `professional ${identity.organisation}` : identity.role
      say(`  ${label.padEnd(36)} ${token}`)
      lines.push(`export ${tokenVariable(identity)}=${token}`)
    }
    // For shell use: `source .data/tokens.env` exports TOKEN_ADMIN, TOKEN_ZUIDZORG, ...
    await writeFile(path.join(DATA_DIR, 'tokens.env'), `${lines.join('\n')}\n`, { mode: 0o600 })
    say(`  (also in ${path.join(DATA_DIR, 'tokens.env')})`)
  }
  say('\nReady. Ctrl-C stops everything.')
}

await main()
