import { randomUUID } from 'node:crypto'
import type { EventOrganisation, EventParty, EventType, NotificationEvent } from '@verwijsindex/shared'
import { generateBsn } from '@verwijsindex/shared/testing'

/** Realistic organisations of the Eindhoven region, as match-service would describe them. */
export const ORGS = {
  regenboog: {
    id: 'basisschool-regenboog',
    name: 'Basisschool De Regenboog',
    sector: 'school-po',
    email: 'zorgteam@regenboog.example',
  },
  zuidzorg: { id: 'zuidzorg', name: 'Zuidzorg JGZ', sector: 'jgz-0-4', email: 'jgz@zuidzorg.example' },
  smw: {
    id: 'smw-eindhoven',
    name: 'Schoolmaatschappelijk Werk Eindhoven',
    sector: 'school-social-work',
    email: 'smw@eindhoven.example',
  },
  police: {
    id: 'politie-oost-brabant',
    name: 'Politie Oost-Brabant',
    sector: 'police',
    email: 'jeugd@politie.example',
  },
  cjg: { id: 'cjg-eindhoven', name: 'CJG Eindhoven', sector: 'cjg', email: 'regie@cjg-eindhoven.example' },
  gemeente: {
    id: 'gemeente-eindhoven',
    name: 'Gemeente Eindhoven',
    sector: 'municipality',
    email: 'jeugd@eindhoven.example',
  },
} satisfies Record<string, EventOrganisation>

/**
 * The child the events are about. Nothing of this may ever reach a notification; the events below smuggle
 * it in where a careless implementation would pass it on.
 */
export const CHILD = {
  bsn: generateBsn(4242),
  birthDate: '2016-05-17',
  firstName: 'Sanne',
  lastName: 'de Vries',
  postcode: '5611 AB',
  houseNumber: '12',
}

let registrationSeed = 0

export function party(
  organisation: EventOrganisation,
  contact: { name: string; email: string; phone: string },
  extra: Partial<EventParty> = {},
): EventParty {
  registrationSeed++
  return {
    registrationId: randomUUID(),
    organisation,
    contact,
    kind: 'concern',
    externalReference: null,
    since: new Date(Date.UTC(2026, 2, 2, 9, 0, registrationSeed)).toISOString(),
    leftAt: null,
    ...extra,
  }
}

export const teacher = (extra: Partial<EventParty> = {}) =>
  party(
    ORGS.regenboog,
    { name: 'Marieke Jansen', email: 'm.jansen@regenboog.example', phone: '+31 40 251 2345' },
    { externalReference: `leerling ${CHILD.bsn}, geb. 17-05-2016, ${CHILD.postcode}`, ...extra },
  )

export const nurse = (extra: Partial<EventParty> = {}) =>
  party(
    ORGS.zuidzorg,
    { name: 'Fatima el Amrani', email: 'f.elamrani@zuidzorg.example', phone: '+31 40 230 8800' },
    {
      kind: 'involvement',
      // Another party's reference: a careless mail would show it to the school. It names the child.
      externalReference: `${CHILD.firstName} ${CHILD.lastName} ${CHILD.birthDate} dossier 77`,
      ...extra,
    },
  )

export const officer = (extra: Partial<EventParty> = {}) =>
  party(
    ORGS.police,
    { name: 'Agent Pieter Bakker', email: 'p.bakker@politie.example', phone: '+31 900 8844' },
    extra,
  )

export function event(type: EventType, fields: Partial<NotificationEvent> = {}): NotificationEvent {
  return {
    eventId: randomUUID(),
    type,
    occurredAt: '2026-03-02T09:00:00.000Z',
    matchId: type.startsWith('registration.') ? null : randomUUID(),
    registrationId: null,
    parties: [],
    organisations: [],
    coordination: null,
    endsAt: null,
    ...fields,
  }
}

/** A match between two organisations: a school and youth health care. */
export function matchCreated(fields: Partial<NotificationEvent> = {}): NotificationEvent {
  return event('match.created', { parties: [teacher(), nurse()], ...fields })
}

/** What a producer bug would add: the event contract has no such fields, and parsing drops them. */
export const smuggled = {
  bsn: CHILD.bsn,
  birthDate: CHILD.birthDate,
  child: { name: `${CHILD.firstName} ${CHILD.lastName}` },
  household: { postcode: CHILD.postcode, houseNumber: CHILD.houseNumber },
}

const MONTHS_NL = [
  'januari',
  'februari',
  'maart',
  'april',
  'mei',
  'juni',
  'juli',
  'augustus',
  'september',
  'oktober',
  'november',
  'december',
]
const MONTHS_EN = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]

/** Everything in `text` that identifies the child or looks like it could: empty when the text is clean. */
export function forbiddenIn(raw: string): string[] {
  // Ids (match, registration, notification) are meant to be there; their hex must not pass for a BSN.
  const text = raw.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
  const [y, m, d] = CHILD.birthDate.split('-') as [string, string, string]
  const day = String(Number(d))
  const month = Number(m) - 1
  const findings: string[] = []
  const checks: [string, RegExp][] = [
    ['nine-digit number (BSN-like)', /(?<!\d)\d{9}(?!\d)/],
    ['the BSN with separators', new RegExp(CHILD.bsn.split('').join('[ .-]?'))],
    ['postcode', /(?<![\dA-Za-z])[1-9]\d{3} ?[A-Z]{2}(?![A-Za-z])/],
    ['birth date (ISO)', new RegExp(`${y}-${m}-${d}`)],
    ['birth date (NL)', new RegExp(`${d}[-/.]${m}[-/.]${y}`)],
    ['birth date (words)', new RegExp(`${day} (${MONTHS_NL[month]}|${MONTHS_EN[month]}) ${y}`, 'i')],
    ['child first name', new RegExp(`\\b${CHILD.firstName}\\b`, 'i')],
    ['child last name', new RegExp(CHILD.lastName, 'i')],
    ['house number with postcode', new RegExp(`${CHILD.postcode.replace(' ', ' ?')}`)],
  ]
  for (const [what, pattern] of checks) if (pattern.test(text)) findings.push(what)
  return findings
}
