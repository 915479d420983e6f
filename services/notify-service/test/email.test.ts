import { freePort } from '@verwijsindex/shared/embedded-postgres'
import { waitFor } from '@verwijsindex/shared/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { SMTP_PROBE_MS } from '../src/use-cases/deliver-due.js'
import { CHILD, forbiddenIn, matchCreated, nurse, ORGS, smuggled, teacher } from './events.js'
import {
  auditActions,
  type NotifyHarness,
  notificationsOf,
  professional,
  startNotifyService,
} from './helpers.js'
import { TestSmtpServer } from './smtp.js'

let h: NotifyHarness | undefined
let smtp: TestSmtpServer | undefined
afterEach(async () => {
  await h?.close()
  await smtp?.close()
  h = undefined
  smtp = undefined
})

async function start(env: Record<string, string> = {}, smtpPort?: number) {
  smtp = await TestSmtpServer.start(smtpPort)
  h = await startNotifyService({ env: { SMTP_URL: smtp.url, ...env } })
  return { h, smtp }
}

const MINUTE = 60_000

describe('a match between two organisations', () => {
  it('delivers one mail to each professional (none to their mailboxes), naming the counterpart and nothing of the child', async () => {
    const { h, smtp } = await start()
    const school = teacher()
    const jgz = nurse()
    const event = matchCreated({ parties: [school, jgz] })
    // A producer bug adding the child's data: the contract has no such fields and parsing drops them.
    await h.send({ ...event, ...smuggled })

    // Issue 11: the organisations' mailboxes no longer get a copy of what their professionals got.
    expect(await h.app.notifier.processEvents()).toMatchObject({ events: 1, notifications: 2, rejected: 0 })
    expect(await h.app.notifier.deliverDue()).toMatchObject({ attempted: 2, sent: 2 })

    const mails = await smtp.parsed()
    expect(mails.map((m) => m.envelopeTo).sort()).toEqual(
      [[school.contact.email], [jgz.contact.email]].sort(),
    )
    const to = (address: string) => {
      const found = mails.filter((m) => m.envelopeTo.includes(address))
      expect(found).toHaveLength(1)
      const mail = found[0]!
      return { mail, text: `${mail.subject}\n${mail.text}`, html: String(mail.html) }
    }

    const forTeacher = to(school.contact.email)
    expect(forTeacher.mail.subject).toBe(`Verwijsindex: nieuwe match (match ${event.matchId!.slice(0, 8)})`)
    expect(forTeacher.text).toContain('Beste Marieke Jansen,')
    for (const fact of [
      ORGS.zuidzorg.name,
      jgz.contact.name,
      jgz.contact.phone,
      jgz.contact.email,
      event.matchId!,
    ]) {
      expect(forTeacher.text).toContain(fact)
      expect(forTeacher.html).toContain(fact)
    }
    // Its own reference, masked where it held a BSN, a birth date and a postcode; never the other's.
    expect(forTeacher.text).toContain('Uw referentie: leerling ***, geb. ***, ***')
    expect(forTeacher.text).not.toContain('dossier 77')

    const forNurse = to(jgz.contact.email)
    for (const fact of [
      ORGS.regenboog.name,
      school.contact.name,
      school.contact.phone,
      school.contact.email,
    ]) {
      expect(forNurse.text).toContain(fact)
    }
    expect(forNurse.text).not.toContain('leerling')
    // Its own words come back to it (masked dates and numbers); no pattern can tell a name in free text.
    expect(forNurse.text).toContain(`Uw referentie: ${CHILD.firstName} ${CHILD.lastName} *** dossier 77`)

    // No BSN, birth date, postcode or name of the child in any decoded mail: subject, text and HTML.
    // (The nurse's own reference names the child: its own mailbox alone may see its own words.)
    for (const mail of mails) {
      const own = mail.envelopeTo.some((a) => a === jgz.contact.email || a === ORGS.zuidzorg.email)
      const text = `${mail.subject}\n${mail.text}\n${String(mail.html)}`
      const findings = forbiddenIn(own ? text.replaceAll(`${CHILD.firstName} ${CHILD.lastName}`, '') : text)
      expect(findings, `in the mail to ${mail.envelopeTo}`).toEqual([])
      expect(mail.headers.get('auto-submitted')).toBe('auto-generated')
    }

    // One stable Message-ID per notification, the one recorded before sending.
    const rows = await notificationsOf(h.db)
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent'])
    expect(new Set(mails.map((m) => m.messageId))).toEqual(new Set(rows.map((r) => r.messageId)))
    expect(rows[0]!.messageId).toMatch(/^<[0-9a-f-]{36}@verwijsindex\.localhost>$/)

    // What notify-service keeps of the event has none of the smuggled fields.
    const stored = await h.db.selectFrom('notify.events').select('payload').executeTakeFirstOrThrow()
    expect(Object.keys(stored.payload)).not.toContain('bsn')
    expect(JSON.stringify(stored.payload)).not.toMatch(/birthDate|household|"child"/)
    // ... and the references are kept masked: the BSN the school typed is not in the notify schema.
    expect(JSON.stringify(stored.payload)).not.toContain(CHILD.bsn)
    expect(JSON.stringify(stored.payload)).not.toContain('17-05-2016')

    // Each send is audited.
    const sends = await auditActions(h.db, 'notification.send')
    expect(sends).toHaveLength(2)
    expect(sends.every((s) => s.outcome === 'success' && s.resourceType === 'notification')).toBe(true)
    expect(sends.map((s) => s.purpose)).toContain(`match.created by email to ${ORGS.regenboog.id}`)
  })

  it('records nothing new when the queue delivers the same event again', async () => {
    const { h, smtp } = await start()
    const event = matchCreated()
    await h.send(event)
    await h.app.notifier.processEvents()
    await h.app.notifier.deliverDue()
    await h.send(event)
    expect(await h.app.notifier.processEvents()).toMatchObject({ events: 1, duplicates: 1, notifications: 0 })
    expect(await h.app.notifier.deliverDue()).toMatchObject({ attempted: 0 })
    expect(smtp.received).toHaveLength(2)
    expect(await notificationsOf(h.db)).toHaveLength(2)
  })

  it('writes in English with NOTIFY_LANGUAGE=en', async () => {
    const { h, smtp } = await start({ NOTIFY_LANGUAGE: 'en' })
    const event = matchCreated()
    await h.send(event)
    await h.app.notifier.processEvents()
    await h.app.notifier.deliverDue()
    const [mail] = (await smtp.parsed()).filter((m) => m.envelopeTo.includes(event.parties[0]!.contact.email))
    expect(mail?.subject).toBe(`Referral index: new match (match ${event.matchId!.slice(0, 8)})`)
    expect(mail?.text).toContain('Dear Marieke Jansen,')
    expect(mail?.text).toContain('Other parties involved:')
    expect(mail?.text).toContain('Zuidzorg JGZ (youth health care 0-4)')
    expect(mail?.headers.get('content-language')).toBe('en')
  })
})

describe('temporary and permanent failures', () => {
  it('an SMTP server refusing for a while gets every mail once it recovers, without duplicates', async () => {
    const { h, smtp } = await start()
    smtp.refuse = { code: 451, message: '4.3.2 Try again later' }
    const event = matchCreated()
    await h.send(event)
    await h.app.notifier.processEvents()

    expect(await h.app.notifier.deliverDue()).toMatchObject({ attempted: 2, failed: 2 })
    let rows = await notificationsOf(h.db)
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'failed', attempts: 1 })
      expect(row.lastError).toMatch(/451/)
      // Backoff with jitter: the first retry waits between 30 s and 1 min.
      const wait = row.nextAttemptAt!.getTime() - h.clock.now().getTime()
      expect(wait).toBeGreaterThanOrEqual(30_000)
      expect(wait).toBeLessThanOrEqual(MINUTE)
    }
    // Not before it is due.
    const tried = smtp.transactions
    expect(await h.app.notifier.deliverDue()).toMatchObject({ attempted: 0 })
    expect(smtp.transactions).toBe(tried)

    h.clock.advance(MINUTE)
    expect(await h.app.notifier.deliverDue()).toMatchObject({ attempted: 2, failed: 2 })
    rows = await notificationsOf(h.db)
    expect(rows.every((r) => r.attempts === 2)).toBe(true)
    // The second wait is longer: 1.5 to 3 minutes.
    const waits = rows.map((r) => r.nextAttemptAt!.getTime() - h!.clock.now().getTime())
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(90_000)
    expect(Math.max(...waits)).toBeLessThanOrEqual(3 * MINUTE)

    smtp.refuse = null
    h.clock.advance(3 * MINUTE)
    expect(await h.app.notifier.deliverDue()).toMatchObject({ attempted: 2, sent: 2 })
    h.clock.advance(24 * 60 * MINUTE)
    expect(await h.app.notifier.deliverDue()).toMatchObject({ attempted: 0 })

    rows = await notificationsOf(h.db)
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(Array(2).fill(['sent', 3]))
    expect(smtp.received).toHaveLength(2)
    expect(new Set(smtp.messageIds())).toEqual(new Set(rows.map((r) => r.messageId)))

    const sends = await auditActions(h.db, 'notification.send')
    expect(sends.filter((s) => s.outcome === 'error')).toHaveLength(4)
    expect(sends.filter((s) => s.outcome === 'success')).toHaveLength(2)
  })

  it('an unreachable server: mail waits uncharged and untried, and goes as soon as the server answers', async () => {
    const port = await freePort()
    h = await startNotifyService({
      env: { SMTP_URL: `smtp://127.0.0.1:${port}`, NOTIFY_SEND_CONCURRENCY: '1' },
    })
    await h.send(matchCreated())
    await h.app.notifier.processEvents()
    // The first mail finds no server: it goes back to waiting, not charged an attempt, and the other mail of
    // the claim is given back unstarted.
    expect(await h.app.notifier.deliverDue()).toMatchObject({
      attempted: 1,
      deferred: 1,
      released: 1,
      failed: 0,
    })
    let rows = await notificationsOf(h.db)
    expect(rows.map((r) => [r.status, r.attempts, r.claimToken])).toEqual(Array(2).fill(['pending', 0, null]))
    expect(rows.filter((r) => r.lastError)).toHaveLength(1)
    expect(rows.find((r) => r.lastError)?.lastError).toMatch(/ECONNREFUSED/)
    const tried = await auditActions(h.db, 'notification.send')
    expect(tried.map((a) => a.outcome)).toEqual(['error'])

    // Until the server is asked again, e-mail is not claimed at all: new mail waits too.
    smtp = await TestSmtpServer.start(port)
    await h.send(matchCreated())
    await h.app.notifier.processEvents()
    expect(await h.app.notifier.deliverDue()).toMatchObject({ attempted: 0 })
    expect(smtp.transactions).toBe(0)

    // The server is asked again after SMTP_PROBE_MS (in the background); it answers, and every waiting
    // mail goes at once.
    h.clock.advance(SMTP_PROBE_MS)
    let sent = 0
    await waitFor(
      async () => {
        sent += (await h!.app.notifier.deliverDue()).sent
        return sent === 4
      },
      { what: 'the four waiting mails sent' },
    )
    rows = await notificationsOf(h.db)
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(Array(4).fill(['sent', 1]))
    expect(smtp.messageIds().toSorted()).toEqual(rows.map((r) => r.messageId).toSorted())
  })

  it('a 5xx for one recipient is permanent: dead at once, never retried, the others delivered', async () => {
    const { h, smtp } = await start()
    const jgz = nurse()
    smtp.rejectRecipients.add(jgz.contact.email)
    await h.send(matchCreated({ parties: [teacher(), jgz] }))
    await h.app.notifier.processEvents()
    expect(await h.app.notifier.deliverDue()).toMatchObject({ attempted: 2, sent: 1, dead: 1 })
    const dead = (await notificationsOf(h.db)).find((r) => r.recipient === jgz.contact.email)
    expect(dead).toMatchObject({ status: 'dead', attempts: 1, nextAttemptAt: null })
    expect(dead?.lastError).toMatch(/550/)

    h.clock.advance(24 * 60 * MINUTE)
    const tried = smtp.transactions
    expect(await h.app.notifier.deliverDue()).toMatchObject({ attempted: 0 })
    expect(smtp.transactions).toBe(tried)
    expect(smtp.received.flatMap((m) => m.to)).not.toContain(jgz.contact.email)
  })

  it('gives up after NOTIFY_MAX_ATTEMPTS, and an admin can retry the dead notification', async () => {
    const { h, smtp } = await start({ NOTIFY_MAX_ATTEMPTS: '2' })
    smtp.refuse = { code: 421, message: '4.7.0 Service not available' }
    const school = teacher()
    await h.send(matchCreated({ parties: [school, nurse()] }))
    await h.app.notifier.processEvents()
    await h.app.notifier.deliverDue()
    h.clock.advance(MINUTE)
    expect(await h.app.notifier.deliverDue()).toMatchObject({ attempted: 2, dead: 2 })
    h.clock.advance(24 * 60 * MINUTE)
    expect(await h.app.notifier.deliverDue()).toMatchObject({ attempted: 0 })

    const row = (await notificationsOf(h.db)).find((r) => r.recipient === school.contact.email)!
    const teacherToken = h.token(professional(ORGS.regenboog.id))
    const seen = await h.app.inject({
      method: 'GET',
      url: `/v1/notifications/${row.id}`,
      headers: { authorization: `Bearer ${teacherToken}` },
    })
    expect(seen.statusCode).toBe(200)
    expect(seen.json()).toMatchObject({ status: 'dead', attempts: 2, nextAttemptAt: null })
    expect(seen.json().lastError).toMatch(/421.*gave up after 2 attempts/)

    const retry = (token: string) =>
      h.app.inject({
        method: 'POST',
        url: `/v1/notifications/${row.id}/retry`,
        headers: { authorization: `Bearer ${token}` },
      })
    expect((await retry(teacherToken)).statusCode).toBe(403)
    const requeued = await retry(h.admin)
    expect(requeued.statusCode).toBe(200)
    expect(requeued.json()).toMatchObject({ id: row.id, status: 'pending', attempts: 0 })

    smtp.refuse = null
    expect(await h.app.notifier.deliverDue()).toMatchObject({ attempted: 1, sent: 1 })
    expect(smtp.received.map((m) => m.messageId)).toEqual([row.messageId])
    const again = await retry(h.admin)
    expect(again.statusCode).toBe(409)
    expect(again.json()).toMatchObject({ code: 'conflict' })
    expect(await auditActions(h.db, 'notification.retry')).toHaveLength(1)
  })
})
