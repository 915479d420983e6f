import { generateBsn } from '@verwijsindex/shared/testing'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildMatchService } from '../src/app.js'
import { auth, type MatchHarness, professional, seedEindhoven, startMatchService } from './helpers.js'

const ORGS = Array.from({ length: 20 }, (_, i) => `org-${String(i).padStart(2, '0')}`)

let h: MatchHarness
let second: FastifyInstance
const urls: string[] = []
beforeAll(async () => {
  h = await startMatchService()
  await seedEindhoven(
    h,
    ORGS.map((id) => ({ id, sector: 'youth-care' })),
  )
  // Two instances of the service on one database, as two replicas behind a load balancer.
  second = await buildMatchService({ config: h.config, clock: h.clock })
  urls.push(await h.app.listen({ port: 0, host: '127.0.0.1' }))
  urls.push(await second.listen({ port: 0, host: '127.0.0.1' }))
})
afterAll(async () => {
  await second.close()
  await h.close()
})

describe('simultaneous registrations on one child', () => {
  it('all answer 201 across two instances and end in exactly one match with all of them', async () => {
    const bsn = generateBsn(500)
    const responses = await Promise.all(
      ORGS.map((org, i) =>
        fetch(`${urls[i % 2]}/v1/registrations`, {
          method: 'POST',
          headers: { ...auth(h.token(professional(org))), 'content-type': 'application/json' },
          body: JSON.stringify({ bsn, birthDate: '2012-01-31', kind: 'involvement' }),
        }),
      ),
    )
    const statuses = responses.map((r) => r.status)
    expect(statuses).toEqual(ORGS.map(() => 201))
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as { matchId: string | null }[]

    const matches = await h.db.selectFrom('match.matches').selectAll().execute()
    expect(matches).toHaveLength(1)
    const match = matches[0]!
    expect(match.status).toBe('open')
    const parties = await h.db
      .selectFrom('match.matchParties')
      .selectAll()
      .where('matchId', '=', match.id)
      .execute()
    expect(new Set(parties.map((p) => p.organisationId))).toEqual(new Set(ORGS))
    expect(parties.every((p) => p.leftAt === null)).toBe(true)
    // Only the first registrant answered before the match existed.
    expect(bodies.filter((b) => b.matchId === null)).toHaveLength(1)
    expect(bodies.filter((b) => b.matchId === match.id)).toHaveLength(19)

    const view = await fetch(`${urls[1]}/v1/matches/${match.id}`, {
      headers: auth(h.token(professional('org-07'))),
    })
    expect(((await view.json()) as { parties: unknown[] }).parties).toHaveLength(20)
  })
})
