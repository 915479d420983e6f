import { generateKeyPairSync } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { chainHash, createCheckpointSigner, GENESIS_HASH, type SealableEvent } from '../src/domain/chain.js'
import { type AuditHarness, startAuditService } from './helpers.js'

/**
 * Someone with direct database access (a superuser, who can switch the append-only triggers off)
 * changes the trail after it was sealed. Each case starts from the same sealed trail of 30 events in
 * three sealing runs; verify must name the first place where it no longer holds.
 */

let h: AuditHarness
let attacker: pg.Client
let pristine: { events: string; seals: string; checkpoints: string }
/** The newest checkpoint as a third party copied it before the tampering. */
let kept: { count: number; head: string }

const snapshot = async (table: string) =>
  (await attacker.query<{ rows: string }>(`select coalesce(json_agg(t), '[]')::text as rows from ${table} t`))
    .rows[0]!.rows

/** Runs the statements with every trigger off (RI cascades too), as the tamperer does. */
async function tamper(...statements: [string, unknown[]?][]): Promise<void> {
  await attacker.query('begin')
  await attacker.query('set local session_replication_role = replica')
  for (const [text, values] of statements) await attacker.query(text, values)
  await attacker.query('commit')
}

async function restore(): Promise<void> {
  await tamper(
    ['delete from audit.checkpoints'],
    ['delete from audit.seals'],
    ['delete from audit.events'],
    [
      'insert into audit.events overriding system value select * from json_populate_recordset(null::audit.events, $1::json)',
      [pristine.events],
    ],
    [
      'insert into audit.seals select * from json_populate_recordset(null::audit.seals, $1::json)',
      [pristine.seals],
    ],
    [
      'insert into audit.checkpoints overriding system value select * from json_populate_recordset(null::audit.checkpoints, $1::json)',
      [pristine.checkpoints],
    ],
  )
}

/** The attacker knows the published algorithm: renumber the remaining seals and recompute every hash. */
async function rewriteChain(): Promise<void> {
  const { rows } = await attacker.query<SealableEvent & { seq: number }>(`
    select s.seq, e.id::int as "id",
      to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "occurredAt",
      e.service, e.action, e.outcome, e.actor_id as "actorId", e.actor_organisation as "actorOrganisation",
      e.actor_roles as "actorRoles", e.actor_on_behalf_of as "actorOnBehalfOf", e.subject_key as "subjectKey",
      e.resource_type as "resourceType", e.resource_id as "resourceId", e.request_id as "requestId",
      e.client_ip as "clientIp", e.user_agent as "userAgent", e.purpose, e.xact_id::int as "xactId"
    from audit.seals s join audit.events e on e.id = s.event_id order by s.seq`)
  let prev = GENESIS_HASH
  const statements: [string, unknown[]][] = [['delete from audit.seals', []]]
  for (const [i, row] of rows.entries()) {
    const hash = chainHash(prev, i + 1, row)
    statements.push([
      'insert into audit.seals (seq, event_id, prev_hash, hash, sealed_at) values ($1, $2, $3, $4, now())',
      [i + 1, row.id, prev, hash],
    ])
    prev = hash
  }
  await tamper(...statements)
}

const verify = async (query = '') => {
  const res = await h.get(`/v1/audit/verify${query}`, h.auditor)
  expect(res.statusCode).toBe(200)
  return res.json()
}
const withKept = () => `?count=${kept.count}&head=${kept.head}`
const eventAt = async (seq: number) =>
  Number((await attacker.query('select event_id from audit.seals where seq = $1', [seq])).rows[0].event_id)

beforeAll(async () => {
  h = await startAuditService()
  for (let run = 0; run < 3; run++) {
    await h.write(
      Array.from({ length: 10 }, (_, i) => ({
        action: 'registration.read',
        requestId: `req-run${run}-${i}`,
        occurredAt: new Date(Date.parse('2026-03-02T09:00:00Z') + (run * 10 + i) * 60_000),
      })),
    )
    await h.seal()
  }
  attacker = new pg.Client({ connectionString: h.url })
  await attacker.connect()
  pristine = {
    events: await snapshot('audit.events'),
    seals: await snapshot('audit.seals'),
    checkpoints: await snapshot('audit.checkpoints'),
  }
  const res = await h.get('/v1/audit/checkpoints?limit=1', h.auditor)
  const [newest] = res.json().items
  kept = { count: newest.count, head: newest.head }
})
beforeEach(restore)
afterAll(async () => {
  await attacker.end()
  await h.close()
})

describe('verify', () => {
  it('an untouched trail verifies, against the stored checkpoints and one kept elsewhere', async () => {
    expect(kept.count).toBe(30)
    expect(await verify()).toMatchObject({
      ok: true,
      checked: 30,
      firstBreak: null,
      head: { count: 30, hash: kept.head },
      checkpointsVerified: 3,
      checkpointsOtherKey: 0,
    })
    expect(await verify(withKept())).toMatchObject({ ok: true, checked: 30 })
  })

  it('is itself audited', async () => {
    const before = await h.db
      .selectFrom('audit.events')
      .select('id')
      .where('action', '=', 'audit.verify')
      .execute()
    await verify()
    const after = await h.db
      .selectFrom('audit.events')
      .selectAll()
      .where('action', '=', 'audit.verify')
      .execute()
    expect(after.length).toBe(before.length + 1)
    expect(after.at(-1)).toMatchObject({ actorId: 'auditor-1', service: 'audit-service', outcome: 'success' })
  })

  it('a checkpoint kept elsewhere that the chain does not reproduce is a break', async () => {
    const other = `?count=${kept.count}&head=${'a'.repeat(64)}`
    expect((await verify(other)).firstBreak).toMatchObject({ seq: 30, reason: 'checkpoint_mismatch' })
  })

  it('refuses half a checkpoint', async () => {
    const res = await h.get(`/v1/audit/verify?count=3`, h.auditor)
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toEqual([expect.objectContaining({ pointer: '/head' })])
  })
})

describe('tampering with the sealed trail is detected', () => {
  it('changing a column of a sealed event', async () => {
    const id = await eventAt(7)
    await tamper([`update audit.events set actor_id = 'someone-else' where id = $1`, [id]])
    expect((await verify()).firstBreak).toMatchObject({ seq: 7, eventId: id, reason: 'hash_mismatch' })
  })

  it('back-dating a sealed event, even by one microsecond', async () => {
    const id = await eventAt(12)
    await tamper([
      `update audit.events set occurred_at = occurred_at - interval '1 microsecond' where id = $1`,
      [id],
    ])
    expect(await verify()).toMatchObject({
      ok: false,
      checked: 11,
      firstBreak: { seq: 12, reason: 'hash_mismatch' },
    })
  })

  it('back-dating with only the trigger disabled (no replica mode)', async () => {
    const id = await eventAt(3)
    await attacker.query('alter table audit.events disable trigger events_append_only')
    await attacker.query(`update audit.events set occurred_at = '2020-01-01T00:00:00Z' where id = $1`, [id])
    await attacker.query('alter table audit.events enable trigger events_append_only')
    expect((await verify()).firstBreak).toMatchObject({ seq: 3, reason: 'hash_mismatch' })
  })

  it('changing a seal instead of the event', async () => {
    await tamper([`update audit.seals set hash = $1 where seq = 20`, ['b'.repeat(64)]])
    expect((await verify()).firstBreak).toMatchObject({ seq: 20, reason: 'hash_mismatch' })
  })

  it('pointing two seals at each other’s events (reordering)', async () => {
    const [a, b] = [await eventAt(4), await eventAt(5)]
    await tamper(
      ['update audit.seals set event_id = -1 where seq = 4'],
      ['update audit.seals set event_id = $1 where seq = 5', [a]],
      ['update audit.seals set event_id = $1 where seq = 4', [b]],
    )
    expect((await verify()).firstBreak).toMatchObject({ seq: 4, reason: 'hash_mismatch' })
  })

  it('deleting a sealed event (its seal stays)', async () => {
    const id = await eventAt(15)
    await tamper(['delete from audit.events where id = $1', [id]])
    expect((await verify()).firstBreak).toMatchObject({ seq: 15, eventId: id, reason: 'event_missing' })
  })

  it('deleting a sealed event and its seal', async () => {
    const id = await eventAt(15)
    await tamper(['delete from audit.seals where seq = 15'], ['delete from audit.events where id = $1', [id]])
    expect((await verify()).firstBreak).toMatchObject({ seq: 15, reason: 'sequence_gap' })
  })

  it('deleting under the purge flag, as if it were the retention purge', async () => {
    const id = await eventAt(2)
    await attacker.query('begin')
    await attacker.query(`set local audit.purge = 'on'`)
    await attacker.query('delete from audit.seals where seq = 2')
    await attacker.query('delete from audit.events where id = $1', [id])
    await attacker.query('commit')
    expect((await verify()).firstBreak).toMatchObject({ seq: 2, reason: 'sequence_gap' })
  })

  it('deleting an event and rewriting the chain after it: the stored checkpoints disagree', async () => {
    await tamper(['delete from audit.events where id = $1', [await eventAt(15)]])
    await rewriteChain()
    expect((await verify()).firstBreak).toMatchObject({ seq: 20, reason: 'checkpoint_mismatch' })
  })

  it('changing an event, rewriting the chain and removing the stored checkpoints: only a kept copy tells', async () => {
    await tamper(
      [`update audit.events set actor_id = 'someone-else' where id = $1`, [await eventAt(15)]],
      ['delete from audit.checkpoints'],
    )
    await rewriteChain()
    // Internally consistent again: this is what a checkpoint held elsewhere is for (docs/architecture.md §11).
    expect(await verify()).toMatchObject({ ok: true, checked: 30 })
    expect(await verify(withKept())).toMatchObject({
      ok: false,
      firstBreak: { seq: 30, reason: 'checkpoint_mismatch' },
    })
  })

  it('… and forging new checkpoints: they carry no valid signature', async () => {
    await tamper(
      ['delete from audit.events where id = $1', [await eventAt(15)]],
      ['delete from audit.checkpoints'],
    )
    await rewriteChain()
    const head = (await attacker.query('select seq, hash from audit.seals order by seq desc limit 1')).rows[0]
    const forger = createCheckpointSigner(
      generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    )
    const statement = {
      kind: 'seal' as const,
      count: Number(head.seq),
      head: head.hash,
      sealedAt: new Date(),
      retainedFrom: null,
    }
    await tamper([
      `insert into audit.checkpoints (kind, count, head, sealed_at, horizon, key_id, signature)
       values ('seal', $1, $2, $3, 0, $4, $5)`,
      [statement.count, statement.head, statement.sealedAt, h.signer.keyId, forger.sign(statement)],
    ])
    expect((await verify()).firstBreak).toMatchObject({ seq: 29, reason: 'checkpoint_signature' })
  })

  it('inserting a forged event into the middle and rewriting the chain', async () => {
    const at = await eventAt(10)
    await tamper([
      `insert into audit.events (id, occurred_at, service, action, outcome, actor_id, actor_roles)
       overriding system value values ($1, '2026-03-02T09:09:30Z', 'match-service', 'registration.read', 'success', 'alibi', '{}')`,
      [-at],
    ])
    await tamper(
      [
        // Into seal order right after seq 10: shift the rest up by one.
        'update audit.seals set seq = seq + 1000 where seq > 10',
      ],
      ['update audit.seals set seq = seq - 999 where seq > 1000'],
      [
        `insert into audit.seals (seq, event_id, prev_hash, hash, sealed_at) values (11, $1, $2, $2, now())`,
        [-at, GENESIS_HASH],
      ],
    )
    await rewriteChain()
    expect((await verify()).firstBreak).toMatchObject({ seq: 20, reason: 'checkpoint_mismatch' })
  })

  it('cutting off the tail (events, seals and the checkpoints about them)', async () => {
    const ids = (await attacker.query('select event_id from audit.seals where seq > 25')).rows.map(
      (r) => r.event_id,
    )
    await tamper(
      ['delete from audit.seals where seq > 25'],
      ['delete from audit.events where id = any($1)', [ids]],
      ['delete from audit.checkpoints where count > 25'],
    )
    expect((await verify(withKept())).firstBreak).toMatchObject({
      seq: 26,
      reason: 'checkpoint_beyond_chain',
    })
  })

  it('cutting off the tail but leaving the checkpoints', async () => {
    const ids = (await attacker.query('select event_id from audit.seals where seq > 25')).rows.map(
      (r) => r.event_id,
    )
    await tamper(
      ['delete from audit.seals where seq > 25'],
      ['delete from audit.events where id = any($1)', [ids]],
    )
    expect((await verify()).firstBreak).toMatchObject({ seq: 26, reason: 'checkpoint_beyond_chain' })
  })

  it('slipping an old-looking event in around the sealer', async () => {
    await tamper([
      `insert into audit.events (occurred_at, service, action, outcome, actor_roles, xact_id)
       values ('2026-01-01T00:00:00Z', 'match-service', 'registration.read', 'success', '{}', 1)`,
    ])
    expect((await verify()).firstBreak).toMatchObject({ seq: null, reason: 'event_outside_chain' })
  })

  it('deleting the oldest events and forging the purge checkpoint that would excuse it', async () => {
    const ids = (await attacker.query('select event_id from audit.seals where seq <= 10')).rows.map(
      (r) => r.event_id,
    )
    await tamper(
      ['delete from audit.seals where seq <= 10'],
      ['delete from audit.events where id = any($1)', [ids]],
    )
    expect((await verify()).firstBreak).toMatchObject({ seq: 1, reason: 'sequence_gap' })

    const hashAt10 = JSON.parse(pristine.seals).find((s: { seq: number }) => s.seq === 10).hash
    await tamper([
      `insert into audit.checkpoints (kind, count, head, sealed_at, retained_from, horizon, key_id, signature)
       values ('purge', 10, $1, now(), now(), 0, $2, $3)`,
      [hashAt10, h.signer.keyId, Buffer.alloc(64).toString('base64')],
    ])
    expect((await verify()).firstBreak).toMatchObject({ seq: 10, reason: 'checkpoint_signature' })
  })
})
