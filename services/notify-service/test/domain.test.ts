import { EVENT_TYPES, type EventType, type NotificationEvent } from '@verwijsindex/shared'
import type { NodemailerError } from 'nodemailer'
import { describe, expect, it } from 'vitest'
import { classifySmtpError } from '../src/delivery/email.js'
import { isPublicAddress, webhookUrlProblem } from '../src/domain/address-policy.js'
import { renderEmail } from '../src/domain/mail/render.js'
import { webhookPayload } from '../src/domain/payload.js'
import { perspectiveOf } from '../src/domain/perspective.js'
import {
  messageIdDomain,
  messageIdOf,
  messageIds,
  notificationId,
  organisationsOf,
  planNotifications,
} from '../src/domain/recipients.js'
import { redactReference } from '../src/domain/redact.js'
import { nextState, retryDelayMs } from '../src/domain/retry.js'
import { CHILD, event, forbiddenIn, matchCreated, ORGS, officer, party, teacher } from './events.js'

const coordination = (fields: Partial<NonNullable<NotificationEvent['coordination']>> = {}) => ({
  organisation: null,
  status: 'proposed' as const,
  dueAt: null,
  escalationLevel: 0,
  pendingTransfer: null,
  reason: null,
  ...fields,
})

/** One realistic event of each type: a school and the police, the region's coordinators beside them. */
function eventOf(type: EventType): NotificationEvent {
  const school = teacher()
  const police = officer({ externalReference: 'PV-2026-0412' })
  switch (type) {
    case 'match.created':
    case 'household.linked':
      return event(type, { parties: [school, police] })
    case 'match.party_joined':
      return event(type, { parties: [school, police], registrationId: police.registrationId })
    case 'match.party_left':
      return event(type, {
        parties: [school, { ...police, leftAt: '2026-03-02T09:00:00.000Z' }],
        registrationId: police.registrationId,
      })
    case 'match.closed':
      return event(type, { parties: [school, { ...police, leftAt: '2026-03-02T09:00:00.000Z' }] })
    case 'registration.ending_soon':
    case 'registration.ended':
      return event(type, {
        parties: [school],
        registrationId: school.registrationId,
        endsAt: '2026-04-01T22:00:00Z',
      })
    case 'coordination.proposed':
      return event(type, {
        parties: [school, police],
        organisations: [ORGS.smw],
        coordination: coordination({ organisation: ORGS.smw, dueAt: '2026-03-09T09:00:00Z' }),
      })
    case 'coordination.accepted':
      return event(type, {
        parties: [school, police],
        coordination: coordination({ organisation: ORGS.smw, status: 'accepted' }),
      })
    case 'coordination.declined':
      return event(type, {
        parties: [school, police],
        organisations: [ORGS.cjg],
        coordination: coordination({
          organisation: ORGS.cjg,
          dueAt: '2026-03-16T09:00:00Z',
          reason: 'no_capacity',
        }),
      })
    case 'coordination.unassigned':
      return event(type, { parties: [school, police], coordination: coordination({ status: 'unassigned' }) })
    case 'coordination.transfer_requested':
      return event(type, {
        parties: [school, police],
        organisations: [ORGS.cjg],
        coordination: coordination({
          organisation: ORGS.smw,
          status: 'accepted',
          pendingTransfer: { organisation: ORGS.cjg, proposedAt: '2026-03-02T09:00:00Z' },
        }),
      })
    case 'coordination.transferred':
      return event(type, {
        parties: [school, police],
        organisations: [ORGS.cjg],
        coordination: coordination({ organisation: ORGS.cjg, status: 'accepted' }),
      })
    case 'coordination.escalated':
      return event(type, {
        parties: [school, police],
        organisations: [ORGS.cjg, ORGS.gemeente],
        coordination: coordination({ status: 'unassigned', escalationLevel: 1 }),
      })
    case 'match.follow_up_due':
      return event(type, {
        parties: [school],
        followUp: { due: 'contact', dueAt: '2026-03-09T09:00:00Z', silent: [] },
      })
  }
}

/** Every mail the event calls for, rendered. */
function mailsOf(e: NotificationEvent, lang: 'nl' | 'en') {
  return planNotifications(e, [], 'verwijsindex.example')
    .planned.filter((n) => n.channel === 'email')
    .map((n) => ({
      to: n.recipient,
      organisation: n.organisationId,
      ...renderEmail(e, perspectiveOf(e, n.organisationId, n.recipient), lang),
    }))
}

describe('mail templates', () => {
  it.each(EVENT_TYPES.flatMap((type) => [[type, 'nl'] as const, [type, 'en'] as const]))(
    '%s in %s names the match and the others, and nothing of the child',
    (type, lang) => {
      const e = eventOf(type)
      const mails = mailsOf(e, lang)
      expect(mails.length).toBeGreaterThan(0)
      for (const mail of mails) {
        const all = `${mail.subject}\n${mail.text}\n${mail.html}`
        expect(mail.subject).toMatch(lang === 'nl' ? /^Verwijsindex: / : /^Referral index: /)
        expect(all).not.toMatch(/undefined|null|\[object/)
        expect(forbiddenIn(all)).toEqual([])
        if (e.matchId) expect(mail.text).toContain(e.matchId)
        const others = e.parties.filter((p) => p.organisation.id !== mail.organisation)
        if (!type.startsWith('registration.')) {
          for (const other of others) {
            expect(mail.text).toContain(other.organisation.name)
            expect(mail.text).toContain(other.contact.name)
            expect(mail.text).toContain(other.contact.phone)
            expect(mail.text).toContain(other.contact.email)
            if (other.externalReference) expect(mail.text).not.toContain(other.externalReference)
          }
        }
        expect(mail.html).toMatch(/^<!doctype html>/)
      }
    },
  )

  it('gives the due date of a proposal in Amsterdam time, and tells the designated organisation it is asked', () => {
    const e = eventOf('coordination.proposed')
    const mails = mailsOf(e, 'nl')
    const designated = mails.find((m) => m.to === ORGS.smw.email)
    expect(designated?.text).toContain('Uw organisatie is volgens de afspraken in de regio voorgesteld')
    expect(designated?.text).toContain('9 maart 2026 om 10:00')
    const school = mails.find((m) => m.to === e.parties[0]?.contact.email)
    expect(school?.text).toContain('Schoolmaatschappelijk Werk Eindhoven is voorgesteld als zorgcoördinator')
  })

  it('asks an escalation step organisation to act, and tells a leaving party it left', () => {
    const escalated = mailsOf(eventOf('coordination.escalated'), 'nl')
    expect(escalated.map((m) => m.to)).toEqual(expect.arrayContaining([ORGS.cjg.email, ORGS.gemeente.email]))
    expect(escalated.find((m) => m.to === ORGS.cjg.email)?.text).toMatch(/niveau 1.*\n*.*escalatieladder/s)
    const left = eventOf('match.party_left')
    const mails = mailsOf(left, 'en')
    expect(mails.find((m) => m.to === left.parties[1]?.contact.email)?.text).toContain(
      'Your organisation is no longer part of this match.',
    )
    expect(mails.find((m) => m.to === left.parties[0]?.contact.email)?.text).toContain(
      `${ORGS.police.name} is no longer involved with this young person`,
    )
  })

  it('escapes what a party typed in the HTML part', () => {
    const e = matchCreated({
      parties: [
        teacher(),
        party(ORGS.police, { name: '<script>alert(1)</script>', email: 'x@politie.example', phone: '112' }),
      ],
    })
    const [mail] = mailsOf(e, 'nl')
    expect(mail?.html).not.toContain('<script>')
    expect(mail?.html).toContain('&lt;script&gt;')
  })
})

describe('recipients', () => {
  it('a match between two organisations: each professional once, no copy to their mailboxes', () => {
    const e = matchCreated()
    const { planned } = planNotifications(e, [], 'verwijsindex.example')
    expect(planned.map((p) => [p.recipient, p.organisationId])).toEqual([
      [e.parties[0]!.contact.email, ORGS.regenboog.id],
      [e.parties[1]!.contact.email, ORGS.zuidzorg.id],
    ])
    expect(planned[0]?.messageId).toBe(`<${planned[0]?.id}@verwijsindex.example>`)
  })

  it('writes once to an address that appears twice, whatever its case', () => {
    // The school's professional uses the school's mailbox; a household link names the school twice.
    const contact = { name: 'Zorgteam', email: 'ZorgTeam@Regenboog.example', phone: '040 251 2345' }
    const e = event('household.linked', {
      parties: [teacher({ contact }), officer(), teacher({ contact })],
    })
    const addresses = planNotifications(e, [], 'x').planned.map((p) => p.recipient)
    expect(addresses).toEqual([ORGS.regenboog.email, officer().contact.email])
  })

  it('names a party marked told: false to the others without telling it, by mail or webhook', () => {
    // A household registrant before its links show: the police hear of the school, the school of nothing.
    const e = event('household.linked', { parties: [teacher({ told: false }), officer()] })
    const webhooks = [
      { id: 'wh-school', organisationId: ORGS.regenboog.id },
      { id: 'wh-police', organisationId: officer().organisation.id },
    ]
    const { planned } = planNotifications(e, webhooks, 'x')
    expect(planned.map((p) => p.recipient)).toEqual([officer().contact.email, 'wh-police'])
    expect(organisationsOf(e)).toEqual([officer().organisation.id])
    const [mail] = mailsOf(e, 'nl')
    expect(mail?.text).toContain(ORGS.regenboog.name)
    expect(mail?.text).toContain(teacher().contact.phone)
  })

  it('tells the designated coordinator and escalation steps in their mailboxes, parties or not', () => {
    const e = eventOf('coordination.escalated')
    const { planned } = planNotifications(e, [], 'x')
    expect(planned.map((p) => p.recipient)).toEqual(
      expect.arrayContaining([ORGS.cjg.email, ORGS.gemeente.email]),
    )
    const coordinatorIsParty = event('coordination.proposed', {
      parties: [teacher(), officer()],
      organisations: [ORGS.regenboog],
      coordination: coordination({ organisation: ORGS.regenboog }),
    })
    const recipients = planNotifications(coordinatorIsParty, [], 'x').planned.map((p) => p.recipient)
    expect(recipients).toEqual([teacher().contact.email, officer().contact.email, ORGS.regenboog.email])
  })

  it("sends a party's mailbox no copy of what its professional hears (an acceptance it made)", () => {
    const accepted = event('coordination.accepted', {
      parties: [teacher(), officer()],
      organisations: [ORGS.regenboog],
      coordination: coordination({ organisation: ORGS.regenboog, status: 'accepted' }),
    })
    const recipients = planNotifications(accepted, [], 'x').planned.map((p) => p.recipient)
    expect(recipients).toEqual([teacher().contact.email, officer().contact.email])
  })

  it('falls back on the mailbox when a professional has no e-mail address', () => {
    const e = matchCreated({
      parties: [teacher({ contact: { name: 'x', email: 'not an address', phone: '1' } }), officer()],
    })
    const { planned } = planNotifications(e, [], 'x')
    expect(planned.map((p) => p.recipient)).toEqual([ORGS.regenboog.email, officer().contact.email])
  })

  it('tells only the registrant of its registration ending', () => {
    const e = eventOf('registration.ending_soon')
    expect(planNotifications(e, [], 'x').planned.map((p) => [p.recipient, p.organisationId])).toEqual([
      [teacher().contact.email, ORGS.regenboog.id],
    ])
  })

  it('makes the mail of one change to one address one message, its Message-ID from the notifications', () => {
    const created = matchCreated()
    const proposed = event('coordination.proposed', {
      matchId: created.matchId,
      parties: created.parties,
      organisations: [ORGS.smw],
      coordination: coordination({ organisation: ORGS.smw }),
    })
    const planned = [created, proposed].flatMap((e) => planNotifications(e, [], 'vi.example').planned)
    const grouped = messageIds(planned, 'vi.example')
    const byMessage = new Map<string, string[]>()
    for (const p of grouped) byMessage.set(p.messageId, [...(byMessage.get(p.messageId) ?? []), p.recipient])
    // Two professionals, each told of both events in one mail; the designated organisation's mailbox once.
    expect([...byMessage.values()].map((r) => [...new Set(r)])).toEqual([
      [created.parties[0]!.contact.email],
      [created.parties[1]!.contact.email],
      [ORGS.smw.email],
    ])
    expect([...byMessage.values()].map((r) => r.length)).toEqual([2, 2, 1])
    const ids = grouped.filter((p) => p.recipient === created.parties[0]!.contact.email).map((p) => p.id)
    expect(messageIdOf(ids, 'vi.example')).toBe(messageIdOf([...ids].reverse(), 'vi.example'))
    expect(messageIdOf(ids, 'vi.example')).not.toBe(messageIdOf(ids.slice(0, 1), 'vi.example'))
  })

  it('one webhook notification per webhook of an involved organisation', () => {
    const e = matchCreated()
    const webhooks = [
      { id: '11111111-1111-4111-8111-111111111111', organisationId: ORGS.regenboog.id },
      { id: '22222222-2222-4222-8222-222222222222', organisationId: ORGS.regenboog.id },
      { id: '33333333-3333-4333-8333-333333333333', organisationId: ORGS.police.id },
    ]
    const hooks = planNotifications(e, webhooks, 'x').planned.filter((p) => p.channel === 'webhook')
    expect(hooks.map((p) => [p.webhookId, p.organisationId])).toEqual([
      [webhooks[0]!.id, ORGS.regenboog.id],
      [webhooks[1]!.id, ORGS.regenboog.id],
    ])
    expect(hooks[0]?.messageId).toBe(hooks[0]?.id)
  })

  it('derives the same id from the same (event, channel, recipient), a different one otherwise', () => {
    const a = notificationId('6f1c4a52-3b1e-4c55-9d7e-2a1b3c4d5e6f', 'email', 'a@b.example')
    expect(a).toBe(notificationId('6f1c4a52-3b1e-4c55-9d7e-2a1b3c4d5e6f', 'email', 'a@b.example'))
    expect(a).not.toBe(notificationId('6f1c4a52-3b1e-4c55-9d7e-2a1b3c4d5e6f', 'email', 'c@b.example'))
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(messageIdDomain('Verwijsindex <noreply@Verwijsindex.Eindhoven.nl>')).toBe(
      'verwijsindex.eindhoven.nl',
    )
  })

  it('skips what is not an e-mail address', () => {
    const e = matchCreated({
      parties: [teacher({ contact: { name: 'x', email: 'not an address', phone: '1' } })],
    })
    expect(planNotifications(e, [], 'x')).toMatchObject({ skippedAddresses: 1 })
  })
})

describe('privacy of what is shown', () => {
  it('masks BSN-, date- and postcode-shaped parts of a reference', () => {
    expect(redactReference(`leerling ${CHILD.bsn}`)).toBe('leerling ***')
    expect(redactReference('nr 1234.56.782')).toBe('nr ***')
    expect(redactReference('geb. 17-05-2016 / 2016-05-17')).toBe('geb. *** / ***')
    expect(redactReference('adres 5611AB')).toBe('adres ***')
    // Not a valid BSN (elfproef), not a date, not a postcode: the school's own number stays.
    expect(redactReference('LLN-123456789 groep 7')).toBe('LLN-123456789 groep 7')
  })

  it('a webhook payload carries its own reference and registration, never another party’s', () => {
    const e = eventOf('match.created')
    const school = e.parties[0]!
    const payload = webhookPayload(e, perspectiveOf(e, ORGS.regenboog.id, null), 'n-1')
    const [own, other] = payload.data.parties
    expect(own).toMatchObject({
      own: true,
      registrationId: school.registrationId,
      externalReference: 'leerling ***, geb. ***, ***',
    })
    expect(other).toMatchObject({ own: false, registrationId: null, externalReference: null })
    expect(other?.contact).toEqual(e.parties[1]!.contact)
    expect(forbiddenIn(JSON.stringify(payload))).toEqual([])
  })
})

describe('retries', () => {
  it('backs off exponentially with jitter, up to six hours', () => {
    expect(retryDelayMs(1, () => 0)).toBe(30_000)
    expect(retryDelayMs(1, () => 1)).toBe(60_000)
    expect(retryDelayMs(3, () => 1)).toBe(9 * 60_000)
    expect(retryDelayMs(20, () => 1)).toBe(6 * 3600_000)
  })

  it('temporary → failed until out of attempts → dead; permanent → dead at once', () => {
    const now = new Date('2026-03-02T09:00:00Z')
    expect(nextState({ kind: 'temporary', error: 'x' }, 1, 3, now, () => 0)).toEqual({
      status: 'failed',
      nextAttemptAt: new Date(now.getTime() + 30_000),
      error: 'x',
    })
    expect(nextState({ kind: 'temporary', error: 'x' }, 3, 3, now)).toMatchObject({ status: 'dead' })
    expect(nextState({ kind: 'permanent', error: 'x' }, 1, 3, now)).toMatchObject({ status: 'dead' })
    expect(nextState({ kind: 'sent' }, 1, 3, now)).toEqual({ status: 'sent' })
  })

  it('an unreachable server defers the notification, however many attempts it had', () => {
    const now = new Date('2026-03-02T09:00:00Z')
    expect(nextState({ kind: 'unreachable', error: 'x' }, 3, 3, now)).toEqual({
      status: 'deferred',
      error: 'x',
    })
  })
})

describe('SMTP answers', () => {
  const error = (fields: Partial<NodemailerError>) => Object.assign(new Error('x'), fields) as NodemailerError
  it.each([
    [
      'recipient refused (RCPT TO 550)',
      { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' },
      'permanent',
    ],
    ['message refused (DATA 554)', { code: 'EMESSAGE', responseCode: 554, command: 'DATA' }, 'permanent'],
    ['greylisted (RCPT TO 451)', { code: 'EENVELOPE', responseCode: 451, command: 'RCPT TO' }, 'temporary'],
    ['bad sequence (503)', { code: 'EENVELOPE', responseCode: 503, command: 'RCPT TO' }, 'temporary'],
    [
      'sender refused (MAIL FROM 550): our configuration',
      { code: 'EENVELOPE', responseCode: 550, command: 'MAIL FROM' },
      'temporary',
    ],
    [
      'login refused (535): our configuration',
      { code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' },
      'temporary',
    ],
    [
      'connection refused: nothing handed over',
      { code: 'ESOCKET', originalCode: 'ECONNREFUSED' },
      'unreachable',
    ],
    ['no such host', { code: 'EDNS', originalCode: 'ENOTFOUND' }, 'unreachable'],
    ['no greeting', { code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT' }, 'unreachable'],
    ['connection dropped: the server may have it', { code: 'ECONNECTION', command: 'CONN' }, 'temporary'],
    ['socket reset', { code: 'ESOCKET', originalCode: 'ECONNRESET' }, 'temporary'],
    ['timeout in the conversation', { code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT' }, 'temporary'],
  ] as const)('%s is %s', (_name, fields, kind) => {
    expect(classifySmtpError(error(fields as Partial<NodemailerError>)).kind).toBe(kind)
  })
})

describe('webhook address policy (SSRF)', () => {
  it.each([
    ['127.0.0.1', false],
    ['10.1.2.3', false],
    ['172.20.0.5', false],
    ['192.168.1.10', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['224.0.0.1', false],
    ['::1', false],
    ['fd00::1', false],
    ['fe80::1', false],
    ['ff02::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:7f00:1', false],
    ['93.184.215.14', true],
    ['2a00:1450:400e:80f::200e', true],
    ['::ffff:93.184.215.14', true],
  ])('%s is public: %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected)
  })

  it('production takes https to public hosts only; development takes http://127.0.0.1 only when allowed', () => {
    const production = { production: true, allowPrivate: false }
    expect(webhookUrlProblem('http://school.example/hook', production)).toMatch(/https/)
    expect(webhookUrlProblem('https://127.0.0.1/hook', production)).toMatch(/public/)
    expect(webhookUrlProblem('https://[::1]:8443/hook', production)).toMatch(/public/)
    expect(webhookUrlProblem('https://localhost/hook', production)).toMatch(/public/)
    expect(webhookUrlProblem('https://user:pw@school.example/hook', production)).toMatch(/credentials/)
    expect(webhookUrlProblem('https://school.example/hook', production)).toBeNull()
    expect(webhookUrlProblem('https://[::127.0.0.1]/hook', production)).toMatch(/public/)
    expect(webhookUrlProblem('https://[::ffff:0:7f00:1]/hook', production)).toMatch(/public/)
    expect(webhookUrlProblem('https://[::ffff:0:a00:1]/hook', production)).toMatch(/public/)
    const development = { production: false, allowPrivate: false }
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook', development)).toMatch(/public/)
    expect(webhookUrlProblem('http://localhost:8080/hook', development)).toMatch(/public/)
    const localReceiver = { production: false, allowPrivate: true }
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook', localReceiver)).toBeNull()
    expect(webhookUrlProblem('ftp://school.example/', localReceiver)).toMatch(/http/)
  })
})
