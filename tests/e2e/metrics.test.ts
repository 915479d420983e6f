import { buildAuditService } from '@verwijsindex/audit-service'
import { buildNotifyService } from '@verwijsindex/notify-service'
import { generateBsn } from '@verwijsindex/shared/testing'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  auth,
  type MatchHarness,
  professional,
  registerChild,
  seedEindhoven,
  startMatchService,
} from '../../services/match-service/test/helpers.js'

/** Domain metrics beside the HTTP ones (issue 11), scraped after driving the API. */
let h: MatchHarness
beforeAll(async () => {
  h = await startMatchService()
  await seedEindhoven(h)
})
afterAll(() => h.close())

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

async function scrape(app: FastifyInstance): Promise<Sample[]> {
  const res = await app.inject({ method: 'GET', url: '/metrics' })
  expect(res.statusCode).toBe(200)
  return res.body
    .split('\n')
    .filter((line) => line.startsWith('verwijsindex_'))
    .map((line) => {
      const [, name, labels = '', value] = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line) ?? []
      return {
        name: name as string,
        labels: Object.fromEntries([...labels.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]])),
        value: Number(value),
      }
    })
}

const valuesOf = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .map((s) => s.value)

describe('/metrics', () => {
  it('counts registrations, matches, coordinations, queues, notifications, the sealer and denials', async () => {
    const first = generateBsn(8101)
    const second = generateBsn(8102)
    for (const org of ['school-a', 'police-a']) {
      expect((await registerChild(h, { org, bsn: first, body: { municipality: '0772' } })).statusCode).toBe(
        201,
      )
    }
    let matchId = ''
    for (const org of ['school-a', 'police-a']) {
      const res = await registerChild(h, { org, bsn: second, body: { municipality: '0772' } })
      matchId = res.json().matchId ?? matchId
    }
    // A withdrawal ends a registration (reason resolved) and closes the second child's match.
    const police = await h.app.inject({
      method: 'GET',
      url: '/v1/registrations',
      headers: auth(h.token(professional('police-a'))),
    })
    const withdrawn = police.json().items.find((r: { matchId: string }) => r.matchId === matchId)
    const res = await h.app.inject({
      method: 'POST',
      url: `/v1/registrations/${withdrawn.id}/withdraw`,
      headers: auth(h.token(professional('police-a'))),
      payload: { reason: 'resolved' },
    })
    expect(res.statusCode).toBe(200)
    // Two need-to-know refusals on one route: an organisation that is no party reads the matches.
    for (let i = 0; i < 2; i++) {
      const denied = await h.app.inject({
        method: 'GET',
        url: `/v1/matches/${matchId}`,
        headers: auth(h.token(professional('zuidzorg'))),
      })
      expect(denied.statusCode).toBe(404)
    }
    // Past the first coordination's deadline, nobody having accepted.
    h.clock.advance(30 * 86_400_000)

    const match = await scrape(h.app)
    expect(valuesOf(match, 'verwijsindex_registrations', { status: 'active' })).toEqual([3])
    expect(valuesOf(match, 'verwijsindex_registrations', { status: 'ended', reason: 'resolved' })).toEqual([
      1,
    ])
    expect(valuesOf(match, 'verwijsindex_matches', { status: 'open' })).toEqual([1])
    expect(valuesOf(match, 'verwijsindex_matches', { status: 'closed' })).toEqual([1])
    expect(valuesOf(match, 'verwijsindex_coordinations', { status: 'proposed' })).toEqual([1])
    expect(valuesOf(match, 'verwijsindex_coordinations', { status: 'ended' })).toEqual([1])
    expect(valuesOf(match, 'verwijsindex_coordinations_overdue')).toEqual([1])
    expect(valuesOf(match, 'verwijsindex_access_denied_total', { route: '/v1/matches/:id' })).toEqual([2])
    const { rows: jobs } = await sql<{ n: string }>`
      select count(*) as n from pgboss.job where name = 'notifications' and state = 'created'`.execute(h.db)
    expect(valuesOf(match, 'verwijsindex_queue_jobs_waiting', { queue: 'notifications' })).toEqual([
      Number(jobs[0]?.n),
    ])
    expect(
      valuesOf(match, 'verwijsindex_queue_oldest_waiting_seconds', { queue: 'notifications' })[0],
    ).toBeGreaterThanOrEqual(0)
    // No label names an organisation or a child.
    for (const s of match)
      expect(Object.keys(s.labels).filter((k) => /org|subject|child|bsn/i.test(k))).toEqual([])

    // notify-service without SMTP: the e-mail waits, pending.
    const notify = await buildNotifyService({ config: { ...h.config, smtpUrl: undefined }, clock: h.clock })
    try {
      await notify.notifier.processEvents()
      const { rows } = await sql<{ n: string }>`
        select count(*) as n from notify.notifications where status = 'pending' and channel = 'email'`.execute(
        h.db,
      )
      expect(Number(rows[0]?.n)).toBeGreaterThan(0)
      const samples = await scrape(notify)
      expect(
        valuesOf(samples, 'verwijsindex_notifications', { status: 'pending', channel: 'email' }),
      ).toEqual([Number(rows[0]?.n)])
      expect(valuesOf(samples, 'verwijsindex_queue_jobs_waiting', { queue: 'notifications' })).toEqual([])
    } finally {
      await notify.close()
    }

    // audit-service before its sealer ran: every event waits, the oldest since the first registration.
    const audit = await buildAuditService({ config: h.config, clock: h.clock })
    try {
      const { rows } = await sql<{ n: string }>`select count(*) as n from audit.events`.execute(h.db)
      const samples = await scrape(audit)
      expect(valuesOf(samples, 'verwijsindex_audit_unsealed_events')).toEqual([Number(rows[0]?.n)])
      expect(valuesOf(samples, 'verwijsindex_audit_sealer_lag_seconds')[0]).toBeGreaterThanOrEqual(
        30 * 86_400,
      )
    } finally {
      await audit.close()
    }
  })
})
