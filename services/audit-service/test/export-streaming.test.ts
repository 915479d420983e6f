import http from 'node:http'
import { waitFor } from '@verwijsindex/shared/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AuditHarness, startAuditService } from './helpers.js'

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

/** Open transactions of audit-service on this database: the export reads inside one snapshot transaction. */
const openExportTransactions = async () => {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and application_name = 'audit-service' and xact_start is not null`.execute(
    h.db,
  )
  return rows[0]?.n ?? 0
}

// What the export holds in memory is measured by `npm run bench` (BENCH=audit), not here: a heap
// threshold is a property of one machine. This asserts the behaviour that bounds memory: rows reach the
// client while the database is still being read.
describe('export streams', () => {
  it(`${ROWS.toLocaleString('en')} rows over HTTP: the first rows arrive while the export still reads`, async () => {
    const res = await fetch(`${base}/v1/audit/export?format=ndjson`, {
      headers: { authorization: `Bearer ${h.auditor}` },
    })
    expect(res.status).toBe(200)
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    const first = await reader.read()
    expect(first.done).toBe(false)
    // A response built in memory would only start after the query ended and its transaction closed.
    expect(await openExportTransactions()).toBe(1)
    let bytes = first.value?.byteLength ?? 0
    let lines = 0
    for (const byte of first.value ?? []) if (byte === 10) lines++
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      bytes += value.byteLength
      for (const byte of value) if (byte === 10) lines++
    }
    expect(lines).toBe(ROWS + 1) // the audit.export event of this very request is committed before the stream
    expect(bytes).toBeGreaterThan(45_000_000)
    await waitFor(async () => (await openExportTransactions()) === 0, {
      what: 'the export transaction to end',
    })
  }, 120_000)

  it('an export that outlasts the request deadline streams to its end (a SIEM may read slowly)', async () => {
    const slow = await h.another({ env: { REQUEST_DEADLINE_MS: '1000' } })
    try {
      const url = await slow.listen({ port: 0, host: '127.0.0.1' })
      const res = await fetch(`${url}/v1/audit/export?format=ndjson`, {
        headers: { authorization: `Bearer ${h.auditor}` },
      })
      expect(res.status).toBe(200)
      const reader = (res.body as ReadableStream<Uint8Array>).getReader()
      let lines = 0
      const count = (value: Uint8Array | undefined) => {
        for (const byte of value ?? []) if (byte === 10) lines++
      }
      count((await reader.read()).value)
      // Past the deadline with the export still streaming: the deadline is for answers, not for streams.
      await new Promise((resolve) => setTimeout(resolve, 1500))
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        count(value)
      }
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from audit.events`.execute(h.db)
      expect(lines).toBe(rows[0]?.n)
    } finally {
      await slow.close()
    }
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
    await waitFor(async () => (await openExportTransactions()) === 0, {
      what: 'the export transaction to end after the client left',
    })
  })

  it('a caller with AUDIT_EXPORT_CONCURRENCY (1) exports streaming gets 429 for another; others are not held up', async () => {
    const first = await fetch(`${base}/v1/audit/export?format=ndjson`, {
      headers: { authorization: `Bearer ${h.auditor}` },
    })
    expect(first.status).toBe(200)
    const reader = (first.body as ReadableStream<Uint8Array>).getReader()
    expect((await reader.read()).done).toBe(false) // streaming, held by back-pressure
    const second = await fetch(`${base}/v1/audit/export?format=csv`, {
      headers: { authorization: `Bearer ${h.auditor}` },
    })
    expect(second.status).toBe(429)
    expect(second.headers.get('content-type')).toContain('application/problem+json')
    expect(second.headers.get('retry-after')).toBe('60')
    expect(await second.json()).toMatchObject({ status: 429 })
    // Another auditor is not held up by the first one's export.
    const other = await fetch(`${base}/v1/audit/export?format=csv`, {
      headers: { authorization: `Bearer ${h.token({ sub: 'auditor-2', roles: ['auditor'] })}` },
    })
    expect(other.status).toBe(200)
    await other.body?.cancel()
    // Once the first export has ended, the caller may start the next.
    await reader.cancel()
    await waitFor(
      async () => {
        const again = await fetch(`${base}/v1/audit/export?format=csv`, {
          headers: { authorization: `Bearer ${h.auditor}` },
        })
        await again.body?.cancel()
        return again.status === 200
      },
      { what: 'the finished export to free its slot' },
    )
  }, 120_000)
})
