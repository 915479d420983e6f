import { spawnSync } from 'node:child_process'
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const repo = fileURLToPath(new URL('../../../', import.meta.url))
const tsx = path.join(repo, 'node_modules/tsx/dist/loader.mjs')
const NOBODY = { uid: 65534, gid: 65534 }

/** Whether an unprivileged user can read the checkout (a clone inside a private folder it cannot). */
function readableByNobody(): boolean {
  if (process.getuid?.() !== 0) return false
  return (
    spawnSync('test', ['-r', path.join(repo, 'packages/shared/src/embedded-postgres.ts')], NOBODY).status ===
    0
  )
}

describe('embedded PostgreSQL as a normal user', () => {
  // As root the other tests cover the postgres-user path; this covers an ordinary account.
  it('initialises, starts, answers and stops without root', (context) => {
    if (!readableByNobody()) {
      const why =
        process.getuid?.() === 0
          ? 'the checkout sits in a folder the unprivileged user nobody cannot read (e.g. mktemp -d)'
          : 'needs root, to run the server as the unprivileged user nobody'
      console.warn(`SKIPPED embedded PostgreSQL as a normal user: ${why}`)
      context.skip(why)
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'verwijsindex-nobody-'))
    chownSync(dir, NOBODY.uid, NOBODY.gid)
    const script = path.join(dir, 'run.mts')
    writeFileSync(
      script,
      `const { startEmbeddedPostgres } = await import(${JSON.stringify(path.join(repo, 'packages/shared/src/embedded-postgres.ts'))})
const { default: pg } = await import(${JSON.stringify(path.join(repo, 'node_modules/pg/lib/index.js'))})
const server = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(path.join(dir, 'pg'))}, password: 'x' })
const client = new pg.Client({ connectionString: server.url })
await client.connect()
const { rows } = await client.query('select current_user as who, version() as version')
await client.end()
await server.stop()
console.log(JSON.stringify({ uid: process.getuid(), ...rows[0] }))
`,
    )
    chownSync(script, NOBODY.uid, NOBODY.gid)
    try {
      const run = spawnSync(process.execPath, ['--conditions=source', '--import', tsx, script], {
        ...NOBODY,
        cwd: dir,
        env: { PATH: process.env.PATH, HOME: dir },
        encoding: 'utf8',
        timeout: 60_000,
      })
      expect(run.status, run.stderr).toBe(0)
      const result = JSON.parse(run.stdout.trim().split('\n').pop() as string)
      expect(result).toMatchObject({
        uid: 65534,
        who: 'postgres',
        version: expect.stringMatching(/^PostgreSQL 17/),
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
