import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { buildAuditService } from '@verwijsindex/audit-service'
import { databaseUrl, testConfig } from '@verwijsindex/shared/testing'
import type { FastifyInstance } from 'fastify'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { type AuditHarness, startAuditService } from './helpers.js'

/**
 * A backup restored into a new database keeps the audit chain: it verifies there, its signed
 * checkpoints are the same bytes and still verify, and a checkpoint kept outside matches. The restored
 * index starts only with the same SUBJECT_KEY_SECRET (docs/operations.md, backups).
 */

/** pg_dump and pg_restore of the newest installed PostgreSQL (a dump needs tools at least the server's version). */
function postgresTool(name: string): string | undefined {
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root)
    ? execFileSync('ls', [root], { encoding: 'utf8' }).split('\n').filter(Boolean)
    : []
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0]
  const candidate = newest ? path.join(root, newest, 'bin', name) : undefined
  if (candidate && existsSync(candidate)) return candidate
  try {
    return execFileSync('which', [name], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

const pgDump = postgresTool('pg_dump')
const pgRestore = postgresTool('pg_restore')

/** pg_dump refuses a server newer than itself (e.g. Debian's 15 against the embedded 17). */
async function whyNot(): Promise<string | undefined> {
  if (!pgDump || !pgRestore) return 'pg_dump or pg_restore is not installed'
  const client = new pg.Client({ connectionString: inject('testDatabase').adminUrl })
  await client.connect()
  const { rows } = await client.query<{ server_version_num: string }>('show server_version_num')
  await client.end()
  const server = Math.floor(Number(rows[0]?.server_version_num) / 10_000)
  const tools = Number(/(\d+)\./.exec(execFileSync(pgDump, ['--version'], { encoding: 'utf8' }))?.[1])
  if (tools < server) return `pg_dump ${tools} cannot dump the test server's PostgreSQL ${server}`
  return undefined
}
const skipped = await whyNot()
if (skipped)
  console.warn(`SKIPPED backup and restore: ${skipped} (set TEST_DATABASE_URL to a server it can dump)`)

let h: AuditHarness
let restoredName: string
let restoredUrl: string
let restored: FastifyInstance | undefined
let dir: string

beforeAll(async () => {
  h = await startAuditService()
  dir = await mkdtemp(path.join(os.tmpdir(), 'verwijsindex-backup-'))
})
afterAll(async () => {
  await restored?.close()
  await h.close()
  if (restoredName) {
    const admin = new pg.Client({ connectionString: inject('testDatabase').adminUrl })
    await admin.connect()
    await admin.query(`drop database if exists "${restoredName}" with (force)`)
    await admin.end()
  }
  await rm(dir, { recursive: true, force: true })
})

describe.skipIf(skipped !== undefined)('backup and restore (pg_dump / pg_restore)', () => {
  it('restores into a new database where the chain verifies and the signed checkpoints still match', async () => {
    const YEAR = 365 * 24 * 3600_000
    const ago = (ms: number) => new Date(h.clock.now().getTime() - ms)
    await h.write([{ action: 'old.one', occurredAt: ago(6 * YEAR) }, { action: 'kept.one' }])
    await h.seal()
    await h.purge(1826)
    await h.write([{ action: 'kept.two' }, { action: 'kept.three' }])
    await h.seal()
    const original = (await h.get('/v1/audit/checkpoints?limit=100', h.auditor)).json()
    const originalVerify = (await h.get('/v1/audit/verify', h.auditor)).json()
    expect(originalVerify.ok).toBe(true)

    const dump = path.join(dir, 'index.dump')
    execFileSync(pgDump as string, ['--format=custom', `--file=${dump}`, h.url])
    expect(await readdir(dir)).toContain('index.dump')

    const { adminUrl } = inject('testDatabase')
    restoredName = `${new URL(h.url).pathname.slice(1)}_restored`
    const admin = new pg.Client({ connectionString: adminUrl })
    await admin.connect()
    await admin.query(`create database "${restoredName}"`)
    await admin.end()
    restoredUrl = databaseUrl(adminUrl, restoredName)
    execFileSync(pgRestore as string, ['--no-owner', '--exit-on-error', `--dbname=${restoredUrl}`, dump])

    restored = await buildAuditService({ config: testConfig(restoredUrl), clock: h.clock })
    const get = (url: string) =>
      (restored as FastifyInstance).inject({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${h.auditor}` },
      })
    const checkpoints = (await get('/v1/audit/checkpoints?limit=100')).json()
    // The same signed statements, byte for byte; the listing's own read is audited after the dump.
    expect(checkpoints.items).toEqual(original.items)
    for (const c of checkpoints.items) {
      expect(
        h.signer.verify(
          { ...c, sealedAt: new Date(c.sealedAt), retainedFrom: c.retainedFrom && new Date(c.retainedFrom) },
          c.signature,
          c.keyId,
        ),
      ).toBe(true)
    }

    const newest = original.items.find((c: { kind: string }) => c.kind === 'seal')
    const verification = (await get(`/v1/audit/verify?count=${newest.count}&head=${newest.head}`)).json()
    expect(verification).toMatchObject({ ok: true, firstBreak: null, checkpointsOtherKey: 0 })
    expect(verification.checked).toBeGreaterThanOrEqual(originalVerify.checked)
  })

  it('refuses to start the restored index with another SUBJECT_KEY_SECRET', async () => {
    await expect(
      buildAuditService({
        config: testConfig(restoredUrl, {
          SUBJECT_KEY_SECRET: 'another-subject-key-secret-0123456789abcdef',
        }),
        clock: h.clock,
      }),
    ).rejects.toThrow(/SUBJECT_KEY_SECRET/)
  })
})
