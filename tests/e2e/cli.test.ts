import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type AuditDatabase, buildAuditService, sealAuditEvents } from '@verwijsindex/audit-service'
import { createMatchClient } from '@verwijsindex/client'
import { buildMatchService } from '@verwijsindex/match-service'
import { buildNotifyService } from '@verwijsindex/notify-service'
import { createDb, systemClock } from '@verwijsindex/shared'
import {
  createTestDatabase,
  TEST_JWT_SECRET,
  type TestDatabase,
  testConfig,
} from '@verwijsindex/shared/testing'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * The operator CLI (packages/cli) run as a child process, as an operator runs `npx verwijsindex`, against
 * the three services listening on real ports and sharing one database.
 */
const BIN = fileURLToPath(new URL('../../packages/cli/bin/verwijsindex.js', import.meta.url))
const BSN = '111222333'

let database: TestDatabase
let auditDb: Kysely<AuditDatabase>
let scratch: string
const apps: Record<'match' | 'notify' | 'audit', FastifyInstance | undefined> = {
  match: undefined,
  notify: undefined,
  audit: undefined,
}
const urls = { match: '', notify: '', audit: '' }

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

function cli(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        JWT_SECRET: TEST_JWT_SECRET,
        MATCH_SERVICE_URL: urls.match,
        AUDIT_SERVICE_URL: urls.audit,
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(options.input ?? '')
  })
}

/** A token minted by the CLI itself. */
async function token(...args: string[]): Promise<string> {
  const run = await cli(['token', ...args])
  expect(run.stderr).toBe('')
  expect(run.code).toBe(0)
  return run.stdout.trim()
}

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>

beforeAll(async () => {
  database = await createTestDatabase()
  scratch = await mkdtemp(path.join(tmpdir(), 'verwijsindex-cli-'))
  const config = testConfig(database.url, { DATABASE_POOL_MAX: '3' })
  for (const [name, build] of [
    ['match', buildMatchService],
    ['notify', buildNotifyService],
    ['audit', buildAuditService],
  ] as const) {
    const app = await build({ config })
    apps[name] = app
    await app.listen({ host: '127.0.0.1', port: 0 })
    urls[name] = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  }
  auditDb = createDb<AuditDatabase>(database.url, { max: 1 })
})

afterAll(async () => {
  for (const app of Object.values(apps)) await app?.close()
  await auditDb?.destroy()
  await database?.drop()
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

describe('the operator CLI', { timeout: 120_000 }, () => {
  it('answers --help for every command', async () => {
    const commands = [
      [],
      ['token'],
      ['organisation'],
      ['organisation', 'create'],
      ['organisation', 'deactivate'],
      ['region'],
      ['region', 'upload'],
      ['region', 'presets'],
      ['explain'],
      ['audit'],
      ['audit', 'verify'],
      ['audit', 'export'],
      ['subject'],
      ['subject', 'lookup'],
      ['subject', 'erase'],
    ]
    const runs = await Promise.all(commands.map((command) => cli([...command, '--help'])))
    runs.forEach((run, i) => {
      expect(run.code, commands[i]?.join(' ')).toBe(0)
      expect(run.stdout).toContain(`Usage: verwijsindex ${commands[i]?.join(' ')}`.trim())
    })
  })

  it('mints development tokens for operator roles and for any organisation, system included', async () => {
    const admin = claimsOf(await token('admin'))
    expect(admin).toMatchObject({ sub: 'dev-admin', roles: ['admin'] })
    expect(admin.org).toBeUndefined()
    const system = claimsOf(await token('system', 'halt-nl', '--lifetime', '600'))
    expect(system).toMatchObject({ sub: 'dev-system-halt-nl', org: 'halt-nl', roles: ['system'] })
    expect(Number(system.exp) - Number(system.iat)).toBe(600)
    const pro = claimsOf(await token('professional', 'zuidzorg', '--name', 'Anna de Vries'))
    expect(pro).toMatchObject({ org: 'zuidzorg', roles: ['professional'], name: 'Anna de Vries' })

    const missing = await cli(['token', 'professional'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('needs an organisation id')

    const production = await cli(['token', 'admin'], { env: { NODE_ENV: 'production' } })
    expect(production.code).not.toBe(0)
    expect(production.stdout).toBe('')
    expect(production.stderr).toContain('NODE_ENV=production')
  })

  it('uploads a region from a preset and from a file, printing the problem for a bad one', async () => {
    const env = { VERWIJSINDEX_TOKEN: await token('admin') }
    const preset = await cli(['region', 'upload', 'eindhoven', '--preset', 'eindhoven'], { env })
    expect(preset.stderr).toBe('')
    expect(JSON.parse(preset.stdout)).toMatchObject({ code: 'eindhoven', version: 1 })

    const document = JSON.parse(
      await readFile(new URL('../../services/match-service/presets/eindhoven.json', import.meta.url), 'utf8'),
    )
    const file = path.join(scratch, 'eindhoven.json')
    await writeFile(file, JSON.stringify(document))
    const second = await cli(['region', 'upload', 'eindhoven', '--file', file], { env })
    expect(JSON.parse(second.stdout)).toMatchObject({ code: 'eindhoven', version: 2 })

    await writeFile(file, JSON.stringify({ ...document, surprise: true }))
    const refused = await cli(['region', 'upload', 'eindhoven', '--file', file], { env })
    expect(refused.code).toBe(1)
    expect(refused.stdout).toBe('')
    expect(refused.stderr).toContain('The request is not valid (400)')
    expect(refused.stderr).toContain('surprise')

    const noToken = await cli(['region', 'upload', 'eindhoven', '--preset', 'eindhoven'])
    expect(noToken.code).not.toBe(0)
    expect(noToken.stderr).toContain('--token')
  })

  it('creates and deactivates organisations', async () => {
    const env = { VERWIJSINDEX_TOKEN: await token('admin') }
    for (const [id, sector] of [
      ['school-a', 'school-po'],
      ['police-a', 'police'],
    ]) {
      const created = await cli(
        ['organisation', 'create', id as string, '--name', `Org ${id}`, '--sector', sector as string].concat([
          '--region',
          'eindhoven',
          '--email',
          `mailbox@${id}.example`,
        ]),
        { env },
      )
      expect(created.stderr).toBe('')
      expect(JSON.parse(created.stdout)).toMatchObject({ id, sector, active: true })
    }
    const again = await cli(
      ['organisation', 'create', 'school-a', '--name', 'Again', '--sector', 'school-po'].concat([
        '--region',
        'eindhoven',
        '--email',
        'x@school-a.example',
      ]),
      { env },
    )
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('(409)')

    const created = await cli(
      ['organisation', 'create', 'closing-down', '--name', 'Closing', '--sector', 'cjg'].concat([
        '--region',
        'eindhoven',
        '--email',
        'x@closing.example',
      ]),
      { env },
    )
    expect(created.code).toBe(0)
    const deactivated = await cli(['organisation', 'deactivate', 'closing-down'], { env })
    expect(JSON.parse(deactivated.stdout)).toMatchObject({ id: 'closing-down', active: false })
    const admin = createMatchClient(urls.match, env.VERWIJSINDEX_TOKEN)
    const read = await admin.GET('/organisations/{id}', { params: { path: { id: 'closing-down' } } })
    expect(read.data?.active).toBe(false)

    const unknown = await cli(['organisation', 'deactivate', 'nobody-here'], { env })
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('(404)')
  })

  it('explains a case', async () => {
    const env = { VERWIJSINDEX_TOKEN: await token('admin') }
    const run = await cli(
      [
        'explain',
        'eindhoven',
        '--age',
        '7',
        '--party',
        'school-po:school-a',
        '--party',
        'school-social-work',
      ],
      {
        env,
      },
    )
    expect(run.stderr).toBe('')
    const explanation = JSON.parse(run.stdout)
    expect(explanation).toMatchObject({ ruleId: '4-to-18', coordinator: { sector: 'school-social-work' } })
    expect(explanation.trace.length).toBeGreaterThan(0)

    const bad = await cli(['explain', 'eindhoven', '--party', 'school-po'], { env })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('give birthDate or ageYears')
  })

  it('looks up and erases a subject with the BSN from stdin, never printing it', async () => {
    for (const org of ['school-a', 'police-a']) {
      const client = createMatchClient(urls.match, await token('professional', org))
      const made = await client.POST('/registrations', {
        body: { bsn: BSN, birthDate: '2016-05-10', kind: 'concern' },
      })
      expect(made.response.status).toBe(201)
    }
    const env = { VERWIJSINDEX_TOKEN: await token('privacy_officer') }
    const lookup = await cli(['subject', 'lookup'], { env, input: `${BSN}\n` })
    expect(lookup.stderr).toBe('')
    const held = JSON.parse(lookup.stdout)
    expect(held).toMatchObject({ held: true, birthDate: '2016-05-10' })
    expect(held.registrations).toHaveLength(2)
    expect(held.matches).toHaveLength(1)
    expect(lookup.stdout + lookup.stderr).not.toContain(BSN)

    const unconfirmed = await cli(['subject', 'erase', '--reason', 'objection'], { env, input: `${BSN}\n` })
    expect(unconfirmed.code).toBe(2)
    expect(unconfirmed.stderr).toContain('--yes')
    const still = await cli(['subject', 'lookup', '--bsn', BSN], { env })
    expect(JSON.parse(still.stdout).registrations).toHaveLength(2)

    const erased = await cli(['subject', 'erase', '--reason', 'objection', '--yes'], {
      env,
      input: `${BSN}\n`,
    })
    expect(erased.stderr).toBe('')
    expect(JSON.parse(erased.stdout)).toEqual({ erased: { registrations: 2, matches: 1 } })
    expect(erased.stdout).not.toContain(BSN)
    const gone = await cli(['subject', 'lookup'], { env, input: BSN })
    expect(JSON.parse(gone.stdout)).toMatchObject({ held: false, registrations: [], matches: [] })

    const invalid = await cli(['subject', 'lookup'], { env, input: '123\n' })
    expect(invalid.code).toBe(1)
    expect(invalid.stderr).toContain('/bsn')
    expect(invalid.stderr).not.toContain('123\n')
  })

  it('verifies the audit chain and prints the latest signed checkpoint', async () => {
    const signer = apps.audit?.checkpointSigner
    if (!signer) throw new Error('audit-service has a signer')
    const sealed = await sealAuditEvents(auditDb, { clock: systemClock, signer })
    expect(sealed?.checkpoint).toBeTruthy()
    const env = { VERWIJSINDEX_TOKEN: await token('auditor') }
    const run = await cli(['audit', 'verify'], { env })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const printed = JSON.parse(run.stdout)
    expect(printed.verification).toMatchObject({ ok: true, firstBreak: null })
    expect(printed.verification.checked).toBe(sealed?.head.count)
    expect(printed.latestCheckpoint).toMatchObject({ count: sealed?.head.count, head: sealed?.head.hash })
    expect(printed.publicKey).toContain('BEGIN PUBLIC KEY')

    const external = await cli(
      ['audit', 'verify', '--count', String(sealed?.head.count), '--head', '0'.repeat(64)],
      {
        env,
      },
    )
    expect(external.code).not.toBe(0)

    const wrongRole = await cli(['audit', 'verify'], { env: { VERWIJSINDEX_TOKEN: await token('admin') } })
    expect(wrongRole.code).toBe(1)
    expect(wrongRole.stderr).toContain('(403)')
  })

  it('exports the audit log as NDJSON to a file and as CSV to stdout', async () => {
    const env = { VERWIJSINDEX_TOKEN: await token('auditor') }
    const file = path.join(scratch, 'audit.ndjson')
    const toFile = await cli(['audit', 'export', '--output', file, '--action', 'subject.erase'], { env })
    expect(toFile.stderr).toBe('')
    expect(toFile.stdout).toBe('')
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(lines.length).toBeGreaterThan(0)
    expect(lines.every((event) => event.action === 'subject.erase')).toBe(true)

    const csv = await cli(['audit', 'export', '--format', 'csv', '--outcome', 'success'], { env })
    expect(csv.code).toBe(0)
    const rows = csv.stdout.trim().split('\n')
    expect(rows[0]).toContain('action')
    expect(rows.some((row) => row.includes('region.write') || row.includes('organisation.create'))).toBe(true)
    expect(csv.stdout).not.toContain(BSN)

    const badFilter = await cli(['audit', 'export', '--from', 'yesterday'], { env })
    expect(badFilter.code).toBe(1)
    expect(badFilter.stderr).toContain('/from')
  })
})
