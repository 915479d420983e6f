import type { Clock, Config, ManualClock, TokenClaims } from '@verwijsindex/shared'
import { professional, startService } from '@verwijsindex/shared/testing'
import type { FastifyInstance } from 'fastify'
import { type Kysely, sql } from 'kysely'
import { buildMatchService } from '../src/app.js'
import type { MatchDatabase } from '../src/db/schema.js'
import { readPreset } from '../src/demo.js'

export interface MatchHarness {
  app: FastifyInstance
  db: Kysely<MatchDatabase>
  config: Config
  clock: ManualClock
  logs: string[]
  token(claims: Partial<TokenClaims>): string
  admin: string
  /** Another instance of the service on the same database (a second replica). */
  another(options?: { workers?: boolean; env?: Record<string, string> }): Promise<FastifyInstance>
  close(): Promise<void>
}

export { professional }

/** A match-service on a database of its own, with a moved-by-hand clock and captured log lines. */
export function startMatchService(
  options: { clock?: Clock; env?: Record<string, string>; logLevel?: string } = {},
): Promise<MatchHarness> {
  return startService<MatchDatabase>(buildMatchService, options)
}

/** The Eindhoven preset and a handful of organisations, created through the admin API. */
export async function seedEindhoven(
  h: MatchHarness,
  extra: { id: string; sector: string; mayCoordinate?: boolean }[] = [],
) {
  const document = await readPreset('eindhoven')
  const put = await h.app.inject({
    method: 'PUT',
    url: '/v1/regions/eindhoven',
    headers: { authorization: `Bearer ${h.admin}` },
    payload: document,
  })
  if (put.statusCode >= 300) throw new Error(`seeding region failed: ${put.body}`)
  const orgs = [
    { id: 'school-a', sector: 'school-po' },
    { id: 'school-b', sector: 'school-vo' },
    { id: 'police-a', sector: 'police' },
    { id: 'zuidzorg', sector: 'jgz-0-4' },
    { id: 'smw-eindhoven', sector: 'school-social-work' },
    { id: 'amw-eindhoven', sector: 'amw' },
    { id: 'bjz-a', sector: 'bjz' },
    { id: 'cjg-eindhoven', sector: 'cjg' },
    { id: 'gemeente-eindhoven', sector: 'municipality' },
    ...extra,
  ]
  for (const org of orgs) {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/organisations',
      headers: { authorization: `Bearer ${h.admin}` },
      payload: {
        name: `Organisation ${org.id}`,
        region: 'eindhoven',
        email: `mailbox@${org.id}.example`,
        ...org,
      },
    })
    if (res.statusCode !== 201) throw new Error(`seeding ${org.id} failed: ${res.body}`)
  }
}

export const auth = (token: string) => ({ authorization: `Bearer ${token}` })

export interface RegisterOptions {
  org: string
  bsn: string
  birthDate?: string
  body?: Record<string, unknown>
  headers?: Record<string, string>
  token?: string
}

/** POST /v1/registrations as a professional of `org`. */
export async function registerChild(h: MatchHarness, options: RegisterOptions) {
  return h.app.inject({
    method: 'POST',
    url: '/v1/registrations',
    headers: { ...auth(options.token ?? h.token(professional(options.org))), ...options.headers },
    payload: {
      bsn: options.bsn,
      birthDate: options.birthDate ?? '2016-05-10',
      kind: 'concern',
      ...options.body,
    },
  })
}

/** The events match-service enqueued for notify-service, oldest first. */
export async function queuedEvents(h: MatchHarness) {
  type Queued = { type: string; matchId: string | null } & Record<string, unknown>
  const { rows } = await sql<{ data: { batchId: string; events: Queued[] } }>`
    select data from pgboss.job where name = 'notifications' order by created_on, id`.execute(h.db)
  // One job per transaction, holding that transaction's events in order.
  return rows.flatMap((r) => r.data.events)
}
