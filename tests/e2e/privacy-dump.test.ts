import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { buildNotifyService } from '@verwijsindex/notify-service'
import { startSmtpCatcher } from '@verwijsindex/shared/dev/smtp-catcher'
import { generateBsn } from '@verwijsindex/shared/testing'
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

let h: MatchHarness
beforeAll(async () => {
  h = await startMatchService({ logLevel: 'trace' })
  await seedEindhoven(h)
})
afterAll(() => h.close())

/** Every row of every table in every schema (ours, pg-boss's, kysely's), as text. */
async function dumpAllTables(): Promise<Map<string, string>> {
  const { rows: tables } = await sql<{ schema: string; name: string }>`
    select table_schema as schema, table_name as name from information_schema.tables
    where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`.execute(
    h.db,
  )
  const dump = new Map<string, string>()
  for (const { schema, name } of tables) {
    const { rows } = await sql<{
      row: string
    }>`select t::text as row from ${sql.table(`${schema}.${name}`)} t`.execute(h.db)
    dump.set(`${schema}.${name}`, rows.map((r) => r.row).join('\n'))
  }
  return dump
}

describe('no BSN at rest', () => {
  it('after a realistic scenario no table holds a BSN, and the birth date only where the subject is kept', async () => {
    const children = [
      { bsn: generateBsn(900), birthDate: '2013-04-21' },
      { bsn: generateBsn(901), birthDate: '2019-11-08' },
      { bsn: generateBsn(902), birthDate: '2005-01-30' },
    ]
    const household = { postcode: '5611 AB', houseNumber: '12' }
    for (const [i, child] of children.entries()) {
      for (const org of ['school-a', 'police-a', 'zuidzorg'].slice(0, i + 1)) {
        const res = await registerChild(h, {
          org,
          bsn: child.bsn,
          birthDate: child.birthDate,
          body: { household, municipality: '0772', externalReference: `REF-${i}` },
          headers: { 'idempotency-key': `key-${org}-${i}` },
        })
        expect(res.statusCode).toBe(201)
      }
    }
    // Reads, a refused read, a retry, a withdrawal.
    const [first] = await h.db
      .selectFrom('match.registrations')
      .selectAll()
      .orderBy('createdAt')
      .limit(1)
      .execute()
    await h.app.inject({
      method: 'GET',
      url: `/v1/registrations/${first?.id}`,
      headers: auth(h.token(professional('zuidzorg'))),
    })
    await registerChild(h, {
      org: 'police-a',
      bsn: children[2]!.bsn,
      birthDate: children[2]!.birthDate,
      headers: { 'idempotency-key': 'key-police-a-2' },
      body: { household, municipality: '0772', externalReference: 'REF-2' },
    })
    const match = await h.db.selectFrom('match.matches').selectAll().executeTakeFirstOrThrow()
    await h.app.inject({
      method: 'GET',
      url: `/v1/matches/${match.id}`,
      headers: auth(h.token(professional('police-a'))),
    })
    const police = await h.db
      .selectFrom('match.registrations')
      .select('id')
      .where('organisationId', '=', 'police-a')
      .executeTakeFirstOrThrow()
    await h.app.inject({
      method: 'POST',
      url: `/v1/registrations/${police.id}/withdraw`,
      headers: auth(h.token(professional('police-a'))),
      payload: { reason: 'resolved' },
    })

    // notify-service takes the events: it records a notification per recipient and sends the mail.
    const mailDir = await mkdtemp(path.join(os.tmpdir(), 'verwijsindex-mail-'))
    const catcher = await startSmtpCatcher(mailDir)
    const notify = await buildNotifyService({ config: { ...h.config, smtpUrl: catcher.url }, clock: h.clock })
    await notify.notifier.processEvents()
    await notify.notifier.deliverDue()
    await notify.close()
    await catcher.close()
    const mails = await Promise.all(
      (await readdir(mailDir)).map((f) => readFile(path.join(mailDir, f), 'utf8')),
    )
    await rm(mailDir, { recursive: true, force: true })
    expect(mails.length).toBeGreaterThan(5)
    for (const mail of mails) {
      for (const child of children) {
        expect(mail).not.toContain(child.bsn)
        expect(mail).not.toContain(child.birthDate)
      }
      expect(mail).not.toMatch(/5611 ?AB/i)
    }

    const dump = await dumpAllTables()
    expect(dump.get('notify.notifications')).toBeTruthy()
    expect(dump.get('pgboss.job')).toContain('match.created')
    expect(dump.get('audit.events')).toContain('registration.create')
    for (const [table, text] of dump) {
      for (const child of children) {
        expect(text, `${table} holds a BSN`).not.toContain(child.bsn)
        if (table !== 'match.subjects')
          expect(text, `${table} holds a birth date`).not.toContain(child.birthDate)
      }
      expect(text, `${table} holds a postcode`).not.toMatch(/5611 ?AB/i)
    }
    for (const child of children) expect(dump.get('match.subjects')).toContain(child.birthDate)

    const logs = h.logs.join('\n')
    expect(logs).toContain('request completed')
    for (const child of children) {
      expect(logs).not.toContain(child.bsn)
      expect(logs).not.toContain(child.birthDate)
    }
  })
})
