import http from 'node:http'
import v8 from 'node:v8'
import vm from 'node:vm'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AuditHarness, startAuditService } from './helpers.js'

// A full collection before each measurement, so what is counted is what the export keeps alive, not
// garbage waiting for the collector.
v8.setFlagsFromString('--expose_gc')
const gc = vm.runInNewContext('gc') as () => void
const live = () => {
  gc()
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

const ROWS = 100_000
let h: AuditHarness
let base: string

beforeAll(async () => {
  h = await startAuditService()
  // Rows of about 500 bytes each: the whole export is ~50 MB, far more than it may hold at once.
  await sql`
    insert into audit.events (occurred_at, service, action, outcome, actor_id, actor_organisation, actor_roles,
      subject_key, resource_type, resource_id, request_id, client_ip, user_agent)
    select timestamptz '2026-01-01T00:00:00Z' + n * interval '1 second', 'match-service', 'registration.read',
      'success', 'pro-' || (n % 500), 'org-' || (n % 40), '{professional}', md5(n::text) || md5((n + 1)::text),
      'registration', n::text, 'req-' || md5(n::text), '10.0.' || (n % 250) || '.1', repeat('Mozilla/5.0 ', 25)
    from generate_series(1, ${ROWS}) n`.execute(h.db)
  base = await h.app.listen({ port: 0, host: '127.0.0.1' })
})
afterAll(() => h.close())

describe('export streams with bounded memory', () => {
  it(`${ROWS.toLocaleString('en')} rows over HTTP, read chunk by chunk`, async () => {
    const before = live()
    const res = await fetch(`${base}/v1/audit/export?format=ndjson`, {
      headers: { authorization: `Bearer ${h.auditor}` },
    })
    expect(res.status).toBe(200)
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    let bytes = 0
    let lines = 0
    let chunks = 0
    let peak = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      bytes += value.byteLength
      for (const byte of value) if (byte === 10) lines++
      if (++chunks % 100 === 0) peak = Math.max(peak, live() - before)
    }
    peak = Math.max(peak, live() - before)

    expect(lines).toBe(ROWS + 1) // the audit.export event of this very request is committed before the stream
    expect(bytes).toBeGreaterThan(45_000_000)
    expect(chunks).toBeGreaterThan(100)
    // Holding the export in memory would take at least its size; streaming holds one batch and buffers.
    expect(peak).toBeLessThan(16_000_000)
  }, 120_000)

  it('a client that goes away ends the export and frees its connection', async () => {
    // node:http rather than fetch: it closes the socket when told to, as a SIEM that crashes would.
    await new Promise<void>((resolve, reject) => {
      const req = http.get(
        `${base}/v1/audit/export?format=csv`,
        { headers: { authorization: `Bearer ${h.auditor}` } },
        (res) => {
          res.once('data', () => {
            req.destroy()
            resolve()
          })
        },
      )
      req.on('error', reject)
    })
    // The export's snapshot transaction is gone once the server noticed; poll, no fixed sleep.
    for (let i = 0; i < 100; i++) {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_stat_activity
        where datname = current_database() and application_name = 'audit-service' and xact_start is not null`.execute(
        h.db,
      )
      if (rows[0]?.n === 0) return
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error('the export transaction was still open after the client left')
  })
})
