import { type AuditDatabase, buildAuditService } from '@verwijsindex/audit-service'
import { buildMatchService } from '@verwijsindex/match-service'
import { readPreset } from '@verwijsindex/match-service/demo'
import { buildNotifyService } from '@verwijsindex/notify-service'
import { createDb, ManualClock, type RegisteredRoute, type TokenClaims } from '@verwijsindex/shared'
import {
  createTestDatabase,
  generateBsn,
  professional,
  signToken,
  TEST_JWT_SECRET,
  type TestDatabase,
  testConfig,
} from '@verwijsindex/shared/testing'
import type { FastifyInstance, HTTPMethods } from 'fastify'
import { type Kysely, sql } from 'kysely'

/**
 * The three services on one database with a small world made through their APIs: the region, eight
 * organisations (one deactivated), a match between school-a and police-a, a registration school-b left,
 * and notifications. The need-to-know matrix and the fuzz suite both start from it.
 */
export type Service = 'match' | 'notify' | 'audit'

export interface World {
  apps: Record<Service, FastifyInstance>
  db: Kysely<AuditDatabase>
  database: TestDatabase
  clock: ManualClock
  token(claims: Partial<TokenClaims>): string
  /** Ids the suites fill route parameters with. */
  ids: {
    match: string
    /** school-a's registration in `match`. */
    registration: string
    /** school-b's withdrawn registration (school-b was a party of `match` and left). */
    leftRegistration: string
    notification: string
  }
  routes(): (RegisteredRoute & { service: Service; key: string })[]
  close(): Promise<void>
}

export const BIRTH_DATE = '2016-01-15'
export const child = (n: number) => generateBsn(9500 + n)
/** Organisations of the world, by sector; `gesloten` is deactivated after the match formed. */
export const ORGANISATIONS: [string, string][] = [
  ['school-a', 'school-po'],
  ['school-b', 'school-vo'],
  ['police-a', 'police'],
  ['zuidzorg', 'jgz-0-4'],
  ['smw-eindhoven', 'school-social-work'],
  ['amw-eindhoven', 'amw'],
  ['cjg-eindhoven', 'cjg'],
  ['gesloten', 'other'],
]

export async function startWorld(env: Record<string, string> = {}): Promise<World> {
  const clock = new ManualClock('2026-03-02T09:00:00Z')
  const database = await createTestDatabase()
  const config = testConfig(database.url, {
    DATABASE_POOL_MAX: '3',
    RATE_LIMIT_PER_MINUTE: '1000000',
    ...env,
  })
  const apps: Record<Service, FastifyInstance> = {
    match: await buildMatchService({ config, clock }),
    notify: await buildNotifyService({ config, clock }),
    audit: await buildAuditService({ config, clock }),
  }
  const db = createDb<AuditDatabase>(database.url, { max: 2 })
  const token = (claims: Partial<TokenClaims>) => signToken(claims, TEST_JWT_SECRET, { now: clock.now() })
  const admin = token({ sub: 'admin-1', roles: ['admin'] })
  const call = async (method: HTTPMethods, url: string, bearer: string, body?: object, expected = 200) => {
    const res = await apps.match.inject({
      method,
      url,
      headers: { authorization: `Bearer ${bearer}` },
      ...(body ? { payload: body } : {}),
    })
    if (res.statusCode !== expected) throw new Error(`setup ${method} ${url}: ${res.statusCode} ${res.body}`)
    return res.json()
  }
  await call('PUT', '/v1/regions/eindhoven', admin, await readPreset('eindhoven'), 201)
  for (const [id, sector] of ORGANISATIONS) {
    const body = {
      id,
      name: `Organisation ${id}`,
      sector,
      region: 'eindhoven',
      email: `mailbox@${id}.example`,
    }
    await call('POST', '/v1/organisations', admin, body, 201)
  }
  const register = (org: string, n: number) =>
    call(
      'POST',
      '/v1/registrations',
      token(professional(org)),
      { bsn: child(n), birthDate: BIRTH_DATE, kind: 'concern' },
      201,
    )
  const registration = (await register('school-a', 1)).id as string
  const match = (await register('police-a', 1)).matchId as string
  const left = (await register('school-b', 1)).id as string
  await call('POST', `/v1/registrations/${left}/withdraw`, token(professional('school-b')), {
    reason: 'resolved',
  })
  await register('gesloten', 2)
  await register('school-a', 2)
  await call('PATCH', '/v1/organisations/gesloten', admin, { active: false })
  await apps.notify.notifier.processEvents()
  const { rows } = await sql<{ id: string }>`
    select id from notify.notifications where organisation_id = 'school-a' order by created_at, id limit 1`.execute(
    db,
  )
  const notification = rows[0]?.id
  if (!notification) throw new Error('expected a notification for school-a')
  return {
    apps,
    db,
    database,
    clock,
    token,
    ids: { match, registration, leftRegistration: left, notification },
    routes: () =>
      (Object.entries(apps) as [Service, FastifyInstance][]).flatMap(([service, app]) =>
        app.registeredRoutes
          .filter((r) => !r.public)
          .map((r) => ({ ...r, service, key: `${service} ${r.method} ${r.url}` })),
      ),
    async close() {
      for (const app of Object.values(apps)) await app.close()
      await db.destroy()
      await database.drop()
    },
  }
}

/**
 * Counts every committed row change outside the audit trail (match, notify and the queue's jobs): a
 * trigger the suites install in their own database only, so a refused request's writes are found with
 * one cheap query per request. audit.events is checked apart: refusals write their access.denied there.
 */
export async function installWriteCounter(db: Kysely<AuditDatabase>): Promise<void> {
  await sql`create table public.suite_writes (n bigint not null)`.execute(db)
  await sql`insert into public.suite_writes values (0)`.execute(db)
  await sql`create function public.suite_count_write() returns trigger language plpgsql as $$
    begin update public.suite_writes set n = n + 1; return null; end $$`.execute(db)
  const { rows } = await sql<{ name: string }>`
    select format('%I.%I', schemaname, tablename) as name from pg_tables
    where schemaname in ('match', 'notify') or (schemaname = 'pgboss' and tablename = 'job')`.execute(db)
  for (const { name } of rows) {
    await sql`create trigger suite_count_write after insert or update or delete on ${sql.raw(name)}
      for each row execute function public.suite_count_write()`.execute(db)
  }
}

export interface WriteMark {
  writes: number
  auditId: number
}

export async function writeMark(db: Kysely<AuditDatabase>): Promise<WriteMark> {
  const { rows } = await sql<{ writes: string; auditid: string }>`
    select (select n from public.suite_writes) as writes,
           (select coalesce(max(id), 0) from audit.events) as auditid`.execute(db)
  return { writes: Number(rows[0]?.writes), auditId: Number(rows[0]?.auditid) }
}

/** What changed since a mark: rows outside the audit trail, and audit events by outcome. */
export async function changesSince(db: Kysely<AuditDatabase>, mark: WriteMark) {
  const { rows } = await sql<{ writes: string; denied: string; other: string; actions: string[] | null }>`
    select (select n from public.suite_writes) as writes,
           count(*) filter (where outcome = 'denied') as denied,
           count(*) filter (where outcome <> 'denied') as other,
           array_agg(action) as actions
    from audit.events where id > ${mark.auditId}`.execute(db)
  const r = rows[0]
  return {
    writes: Number(r?.writes) - mark.writes,
    denied: Number(r?.denied),
    other: Number(r?.other),
    actions: r?.actions ?? [],
  }
}

/** A digest of every table outside the audit trail, for a whole-table comparison once per batch. */
export async function tablesDigest(db: Kysely<AuditDatabase>): Promise<string> {
  const { rows } = await sql<{ name: string }>`
    select format('%I.%I', schemaname, tablename) as name from pg_tables
    where schemaname in ('match', 'notify') order by 1`.execute(db)
  const parts: string[] = []
  for (const { name } of rows) {
    const { rows: d } = await sql<{ md5: string | null }>`
      select md5(string_agg(t::text, '|' order by t::text)) as md5 from ${sql.raw(name)} t`.execute(db)
    parts.push(`${name}:${d[0]?.md5 ?? ''}`)
  }
  return parts.join('\n')
}
