import { type EventParty, type EventType, type NotificationEvent, TIME_ZONE } from '@verwijsindex/shared'
import type { Language } from '../db/schema.js'
import { type Perspective, subjectParty } from './perspective.js'

/**
 * The mail for one recipient, in Dutch (default) or English. It names the other parties (organisation,
 * professional, phone, e-mail), the recipient's own reference, and the match by id; it never holds a BSN,
 * birth date, address or name of the child: the event carries none, and the only free text it does carry
 * (externalReference) is shown to its own organisation only, masked (perspective.ts).
 */
export interface RenderedEmail {
  subject: string
  text: string
  html: string
}

type Block =
  | { kind: 'paragraph'; text: string }
  | { kind: 'facts'; rows: [string, string][] }
  | { kind: 'parties'; title: string; parties: { heading: string; lines: string[] }[] }

const SECTOR_LABELS: Record<string, { nl: string; en: string }> = {
  'jgz-0-4': { nl: 'jeugdgezondheidszorg 0-4', en: 'youth health care 0-4' },
  'jgz-4-19': { nl: 'jeugdgezondheidszorg 4-19', en: 'youth health care 4-19' },
  'school-po': { nl: 'basisschool', en: 'primary school' },
  'school-vo': { nl: 'voortgezet onderwijs', en: 'secondary school' },
  'school-mbo': { nl: 'mbo', en: 'vocational college' },
  'school-social-work': { nl: 'schoolmaatschappelijk werk', en: 'school social work' },
  amw: { nl: 'algemeen maatschappelijk werk', en: 'general social work' },
  cjg: { nl: 'centrum voor jeugd en gezin', en: 'youth and family centre' },
  bjz: { nl: 'jeugdbescherming', en: 'youth protection' },
  'veilig-thuis': { nl: 'Veilig Thuis', en: 'Veilig Thuis (domestic violence)' },
  police: { nl: 'politie', en: 'police' },
  justice: { nl: 'justitie', en: 'justice' },
  ggz: { nl: 'jeugd-ggz', en: 'youth mental health' },
  'ggz-adult': { nl: 'volwassenen-ggz', en: 'adult mental health' },
  'youth-care': { nl: 'jeugdhulp', en: 'youth care' },
  municipality: { nl: 'gemeente', en: 'municipality' },
  gp: { nl: 'huisarts', en: 'general practitioner' },
  childcare: { nl: 'kinderopvang', en: 'childcare' },
  other: { nl: 'overig', en: 'other' },
}

const DECLINE_REASONS: Record<string, { nl: string; en: string }> = {
  not_involved: { nl: 'niet betrokken', en: 'not involved' },
  no_capacity: { nl: 'geen capaciteit', en: 'no capacity' },
  other_is_better_placed: { nl: 'een ander is beter geplaatst', en: 'another organisation is better placed' },
  other: { nl: 'andere reden', en: 'other reason' },
}

const TITLES: Record<EventType, { nl: string; en: string }> = {
  'match.created': { nl: 'nieuwe match', en: 'new match' },
  'match.party_joined': { nl: 'nieuwe betrokkene bij een match', en: 'a new party joined a match' },
  'match.party_left': { nl: 'betrokkene heeft een match verlaten', en: 'a party left a match' },
  'match.closed': { nl: 'match gesloten', en: 'match closed' },
  'household.linked': { nl: 'gezinsmatch', en: 'household match' },
  'registration.ending_soon': { nl: 'uw registratie loopt binnenkort af', en: 'your registration ends soon' },
  'registration.ended': { nl: 'uw registratie is beëindigd', en: 'your registration has ended' },
  'coordination.proposed': { nl: 'zorgcoördinatie voorgesteld', en: 'care coordination proposed' },
  'coordination.accepted': { nl: 'zorgcoördinatie aanvaard', en: 'care coordination accepted' },
  'coordination.declined': { nl: 'zorgcoördinatie afgewezen', en: 'care coordination declined' },
  'coordination.unassigned': { nl: 'geen zorgcoördinator gevonden', en: 'no care coordinator found' },
  'coordination.transfer_requested': {
    nl: 'overdracht van zorgcoördinatie gevraagd',
    en: 'transfer of care coordination requested',
  },
  'coordination.transferred': { nl: 'zorgcoördinatie overgedragen', en: 'care coordination transferred' },
  'coordination.escalated': { nl: 'zorgcoördinatie geëscaleerd', en: 'care coordination escalated' },
}

const formats = {
  nl: new Intl.DateTimeFormat('nl-NL', { timeZone: TIME_ZONE, dateStyle: 'long', timeStyle: 'short' }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, dateStyle: 'long', timeStyle: 'short' }),
}

export function formatInstant(iso: string, language: Language): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : formats[language].format(date)
}

export function sectorLabel(sector: string, language: Language): string {
  return SECTOR_LABELS[sector]?.[language] ?? sector
}

/** Everything the sentences need, worked out once. */
interface Context {
  event: NotificationEvent
  p: Perspective
  lang: Language
  /** The party the event is about, as "you" or by organisation name. */
  subjectName: string
  subjectIsRecipient: boolean
  coordinatorName: string | null
  coordinatorIsRecipient: boolean
  due: string | null
  transferName: string | null
  transferIsRecipient: boolean
  endsAt: string | null
}

function contextOf(event: NotificationEvent, p: Perspective, lang: Language): Context {
  const subject = subjectParty(event)
  const coordinator = event.coordination?.organisation ?? null
  const transfer = event.coordination?.pendingTransfer?.organisation ?? null
  return {
    event,
    p,
    lang,
    subjectName: subject?.organisation.name ?? (lang === 'nl' ? 'Een organisatie' : 'An organisation'),
    subjectIsRecipient: subject?.organisation.id === p.organisationId,
    coordinatorName: coordinator?.name ?? null,
    coordinatorIsRecipient: coordinator?.id === p.organisationId,
    due: event.coordination?.dueAt ? formatInstant(event.coordination.dueAt, lang) : null,
    transferName: transfer?.name ?? null,
    transferIsRecipient: transfer?.id === p.organisationId,
    endsAt: event.endsAt ? formatInstant(event.endsAt, lang) : null,
  }
}

type Sentences = Record<EventType, (c: Context) => string[]>

const NL: Sentences = {
  'match.created': () => [
    'Bij dezelfde jongere zijn nu meerdere organisaties betrokken: er is een match. Neem contact op met de andere betrokkenen hieronder om uw zorg op elkaar af te stemmen.',
  ],
  'match.party_joined': (c) => [
    c.subjectIsRecipient
      ? 'Uw registratie is toegevoegd aan een bestaande match: andere organisaties zijn al betrokken bij deze jongere. Neem contact met hen op.'
      : `${c.subjectName} is betrokken geraakt bij deze jongere en neemt deel aan de match. Neem contact op om uw zorg op elkaar af te stemmen.`,
  ],
  'match.party_left': (c) => [
    c.subjectIsRecipient
      ? 'Uw organisatie neemt niet langer deel aan deze match.'
      : `${c.subjectName} is niet langer betrokken bij deze jongere en heeft de match verlaten.`,
  ],
  'match.closed': () => [
    'De match is gesloten: er zijn minder dan twee organisaties meer betrokken. Een eventuele zorgcoördinatie is beëindigd.',
  ],
  'household.linked': () => [
    'Er zijn organisaties betrokken bij verschillende kinderen uit hetzelfde gezin (één gezin, één plan). Stem zo nodig met elkaar af.',
  ],
  'registration.ending_soon': (c) => [
    `Uw registratie in de verwijsindex loopt af op ${c.endsAt ?? 'korte termijn'}. Bent u dan nog betrokken en is de registratie nog nodig, verleng haar dan in de verwijsindex; anders hoeft u niets te doen.`,
  ],
  'registration.ended': (c) => [
    `Uw registratie in de verwijsindex is beëindigd${c.endsAt ? ` op ${c.endsAt}` : ''}. Ze doet niet meer mee in matches.`,
  ],
  'coordination.proposed': (c) => [
    c.coordinatorIsRecipient
      ? `Uw organisatie is volgens de afspraken in de regio voorgesteld als zorgcoördinator voor deze match. Aanvaard of wijs de coördinatie af in de verwijsindex${c.due ? `, uiterlijk ${c.due}` : ''}.`
      : `${c.coordinatorName ?? 'Een organisatie'} is voorgesteld als zorgcoördinator voor deze match${c.due ? ` en reageert uiterlijk ${c.due}` : ''}.`,
  ],
  'coordination.accepted': (c) => [
    c.coordinatorIsRecipient
      ? 'Uw organisatie heeft de zorgcoördinatie voor deze match aanvaard.'
      : `${c.coordinatorName ?? 'Een organisatie'} heeft de zorgcoördinatie aanvaard en is het aanspreekpunt voor deze match.`,
  ],
  'coordination.declined': (c) => {
    const reason = c.event.coordination?.reason
    const label = reason ? (DECLINE_REASONS[reason]?.nl ?? reason) : null
    return [
      `De voorgestelde zorgcoördinator heeft de coördinatie afgewezen${label ? ` (reden: ${label})` : ''}.`,
      c.event.coordination?.status === 'proposed'
        ? c.coordinatorIsRecipient
          ? `Uw organisatie is nu voorgesteld als zorgcoördinator. Aanvaard of wijs af in de verwijsindex${c.due ? `, uiterlijk ${c.due}` : ''}.`
          : `Nu is ${c.coordinatorName ?? 'een andere organisatie'} voorgesteld${c.due ? `, met reactie uiterlijk ${c.due}` : ''}.`
        : 'Er is geen andere kandidaat: de escalatie volgens de afspraken in de regio start.',
    ]
  },
  'coordination.unassigned': () => [
    'Voor deze match is geen zorgcoördinator gevonden. Volgens de afspraken in de regio start de escalatie; de betrokkenen wordt gevraagd samen een coördinator te kiezen.',
  ],
  'coordination.transfer_requested': (c) => [
    c.transferIsRecipient
      ? 'Er is gevraagd de zorgcoördinatie voor deze match aan uw organisatie over te dragen. Aanvaard de overdracht in de verwijsindex.'
      : `Er is gevraagd de zorgcoördinatie over te dragen aan ${c.transferName ?? 'een andere organisatie'}. De overdracht gaat in zodra die haar aanvaardt.`,
  ],
  'coordination.transferred': (c) => [
    c.coordinatorIsRecipient
      ? 'De zorgcoördinatie voor deze match is aan uw organisatie overgedragen.'
      : `De zorgcoördinatie is overgedragen aan ${c.coordinatorName ?? 'een andere organisatie'}.`,
  ],
  'coordination.escalated': (c) => [
    `De zorgcoördinatie voor deze match is geëscaleerd naar niveau ${c.event.coordination?.escalationLevel ?? '?'}: er is nog geen werkende afspraak over wie coördineert.`,
    ...(c.p.namedOrganisation && c.p.own.length === 0
      ? [
          'Uw organisatie is in de escalatieladder van de regio aangewezen voor deze stap. U kunt de match in de verwijsindex inzien en de betrokkenen bijeenroepen.',
        ]
      : []),
  ],
}

const EN: Sentences = {
  'match.created': () => [
    'Several organisations are now involved with the same young person: there is a match. Please contact the other parties below to coordinate your care.',
  ],
  'match.party_joined': (c) => [
    c.subjectIsRecipient
      ? 'Your registration joined an existing match: other organisations are already involved with this young person. Please contact them.'
      : `${c.subjectName} has become involved with this young person and joins the match. Please get in touch to coordinate your care.`,
  ],
  'match.party_left': (c) => [
    c.subjectIsRecipient
      ? 'Your organisation is no longer part of this match.'
      : `${c.subjectName} is no longer involved with this young person and has left the match.`,
  ],
  'match.closed': () => [
    'The match has been closed: fewer than two organisations are still involved. Any care coordination has ended.',
  ],
  'household.linked': () => [
    'Organisations are involved with different children of the same household (one family, one plan). Please coordinate where needed.',
  ],
  'registration.ending_soon': (c) => [
    `Your registration in the referral index ends on ${c.endsAt ?? 'short notice'}. If you are still involved and the registration is still needed, extend it in the referral index; otherwise nothing needs to be done.`,
  ],
  'registration.ended': (c) => [
    `Your registration in the referral index has ended${c.endsAt ? ` on ${c.endsAt}` : ''}. It no longer takes part in matches.`,
  ],
  'coordination.proposed': (c) => [
    c.coordinatorIsRecipient
      ? `Under the region's agreements your organisation is proposed as care coordinator for this match. Please accept or decline in the referral index${c.due ? ` by ${c.due}` : ''}.`
      : `${c.coordinatorName ?? 'An organisation'} is proposed as care coordinator for this match${c.due ? ` and is asked to respond by ${c.due}` : ''}.`,
  ],
  'coordination.accepted': (c) => [
    c.coordinatorIsRecipient
      ? 'Your organisation has accepted care coordination for this match.'
      : `${c.coordinatorName ?? 'An organisation'} has accepted care coordination and is the point of contact for this match.`,
  ],
  'coordination.declined': (c) => {
    const reason = c.event.coordination?.reason
    const label = reason ? (DECLINE_REASONS[reason]?.en ?? reason) : null
    return [
      `The proposed care coordinator has declined${label ? ` (reason: ${label})` : ''}.`,
      c.event.coordination?.status === 'proposed'
        ? c.coordinatorIsRecipient
          ? `Your organisation is now proposed as care coordinator. Please accept or decline in the referral index${c.due ? ` by ${c.due}` : ''}.`
          : `${c.coordinatorName ?? 'Another organisation'} is now proposed${c.due ? ` and is asked to respond by ${c.due}` : ''}.`
        : "There is no other candidate: escalation under the region's agreements starts.",
    ]
  },
  'coordination.unassigned': () => [
    "No care coordinator could be found for this match. Under the region's agreements escalation starts; the parties are asked to agree on a coordinator together.",
  ],
  'coordination.transfer_requested': (c) => [
    c.transferIsRecipient
      ? 'It has been requested to transfer care coordination for this match to your organisation. Please accept the transfer in the referral index.'
      : `It has been requested to transfer care coordination to ${c.transferName ?? 'another organisation'}. The transfer takes effect once it accepts.`,
  ],
  'coordination.transferred': (c) => [
    c.coordinatorIsRecipient
      ? 'Care coordination for this match has been transferred to your organisation.'
      : `Care coordination has been transferred to ${c.coordinatorName ?? 'another organisation'}.`,
  ],
  'coordination.escalated': (c) => [
    `Care coordination for this match has been escalated to level ${c.event.coordination?.escalationLevel ?? '?'}: there is no working arrangement yet on who coordinates.`,
    ...(c.p.namedOrganisation && c.p.own.length === 0
      ? [
          "Your organisation is named for this step of the region's escalation ladder. You can view the match in the referral index and bring the parties together.",
        ]
      : []),
  ],
}

const WORDS = {
  nl: {
    brand: 'Verwijsindex',
    greetingProfessional: (name: string) => `Beste ${name},`,
    greetingMailbox: (organisation: string) => `Beste collega's van ${organisation},`,
    match: 'Match',
    registration: 'Registratie',
    reference: 'Uw referentie',
    references: 'Uw referenties',
    coordinator: 'Zorgcoördinator',
    coordinationStatus: {
      proposed: 'voorgesteld',
      accepted: 'aanvaard',
      unassigned: 'niet toegewezen',
      ended: 'beëindigd',
    },
    none: 'nog niemand',
    dueBy: (due: string) => `reactie uiterlijk ${due}`,
    transfer: 'Overdracht gevraagd aan',
    escalation: 'Escalatieniveau',
    others: 'Andere betrokkenen',
    involved: 'Betrokkenen',
    noOthers: 'Er zijn geen andere betrokkenen meer.',
    phone: 'tel.',
    leftSince: (date: string) => `niet meer betrokken sinds ${date}`,
    footer: (what: 'match' | 'registration') =>
      `Dit bericht bevat bewust geen gegevens over de jongere of over de zorg. Zoek de ${what === 'match' ? 'match' : 'registratie'} in de verwijsindex op met het nummer hierboven. U ontvangt dit bericht omdat uw organisatie erbij betrokken of ervoor aangewezen is.`,
  },
  en: {
    brand: 'Referral index',
    greetingProfessional: (name: string) => `Dear ${name},`,
    greetingMailbox: (organisation: string) => `Dear colleagues at ${organisation},`,
    match: 'Match',
    registration: 'Registration',
    reference: 'Your reference',
    references: 'Your references',
    coordinator: 'Care coordinator',
    coordinationStatus: {
      proposed: 'proposed',
      accepted: 'accepted',
      unassigned: 'not assigned',
      ended: 'ended',
    },
    none: 'nobody yet',
    dueBy: (due: string) => `respond by ${due}`,
    transfer: 'Transfer requested to',
    escalation: 'Escalation level',
    others: 'Other parties involved',
    involved: 'Parties involved',
    noOthers: 'No other parties are involved any more.',
    phone: 'phone',
    leftSince: (date: string) => `no longer involved since ${date}`,
    footer: (what: 'match' | 'registration') =>
      `This message deliberately holds no details of the young person or of the care. Look up the ${what} in the referral index by the number above. You receive this message because your organisation is involved or has been designated.`,
  },
} as const

const REGISTRATION_EVENTS: readonly EventType[] = ['registration.ending_soon', 'registration.ended']

function partyEntry(party: EventParty, lang: Language) {
  const w = WORDS[lang]
  return {
    heading: `${party.organisation.name} (${sectorLabel(party.organisation.sector, lang)})`,
    lines: [
      `${party.contact.name}, ${w.phone} ${party.contact.phone}, ${party.contact.email}`,
      ...(party.leftAt ? [w.leftSince(formatInstant(party.leftAt, lang))] : []),
    ],
  }
}

function blocksOf(c: Context): Block[] {
  const { event, p, lang } = c
  const w = WORDS[lang]
  const sentences = (lang === 'nl' ? NL : EN)[event.type](c)
  const facts: [string, string][] = []
  if (event.matchId) facts.push([w.match, event.matchId])
  if (REGISTRATION_EVENTS.includes(event.type) && event.registrationId && p.own.length > 0) {
    facts.push([w.registration, event.registrationId])
  }
  if (p.ownReferences.length === 1) facts.push([w.reference, p.ownReferences[0] as string])
  if (p.ownReferences.length > 1) facts.push([w.references, p.ownReferences.join(', ')])
  const coordination = event.coordination
  if (coordination && event.type.startsWith('coordination.')) {
    const who = coordination.organisation?.name ?? w.none
    const due = coordination.status === 'proposed' && c.due ? `, ${w.dueBy(c.due)}` : ''
    facts.push([w.coordinator, `${who} (${w.coordinationStatus[coordination.status]}${due})`])
    if (coordination.pendingTransfer) facts.push([w.transfer, coordination.pendingTransfer.organisation.name])
    if (coordination.escalationLevel > 0) facts.push([w.escalation, String(coordination.escalationLevel)])
  }
  const greeting = p.professionalName
    ? w.greetingProfessional(p.professionalName)
    : w.greetingMailbox(p.organisationName)
  const blocks: Block[] = [
    { kind: 'paragraph', text: greeting },
    ...sentences.map((text) => ({ kind: 'paragraph' as const, text })),
    { kind: 'facts', rows: facts },
  ]
  if (!REGISTRATION_EVENTS.includes(event.type)) {
    blocks.push({
      kind: 'parties',
      title: p.own.length > 0 ? w.others : w.involved,
      parties: p.others.map((o) => partyEntry(o, lang)),
    })
  }
  blocks.push({ kind: 'paragraph', text: w.footer(event.matchId ? 'match' : 'registration') })
  return blocks
}

function toText(blocks: Block[], lang: Language): string {
  const out: string[] = []
  for (const block of blocks) {
    if (block.kind === 'paragraph') out.push(block.text)
    if (block.kind === 'facts' && block.rows.length > 0) {
      out.push(block.rows.map(([label, value]) => `${label}: ${value}`).join('\n'))
    }
    if (block.kind === 'parties') {
      const entries =
        block.parties.length === 0
          ? [WORDS[lang].noOthers]
          : block.parties.map((party) =>
              [`- ${party.heading}`, ...party.lines.map((l) => `  ${l}`)].join('\n'),
            )
      out.push(`${block.title}:\n${entries.join('\n')}`)
    }
  }
  return `${out.join('\n\n')}\n`
}

const escapeHtml = (value: string) =>
  value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')

function toHtml(blocks: Block[], lang: Language, title: string): string {
  const body: string[] = []
  for (const block of blocks) {
    if (block.kind === 'paragraph') body.push(`<p>${escapeHtml(block.text)}</p>`)
    if (block.kind === 'facts' && block.rows.length > 0) {
      const rows = block.rows
        .map(
          ([label, value]) =>
            `<tr><th align="left" style="padding-right:1em">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
        )
        .join('')
      body.push(`<table>${rows}</table>`)
    }
    if (block.kind === 'parties') {
      body.push(`<h3>${escapeHtml(block.title)}</h3>`)
      body.push(
        block.parties.length === 0
          ? `<p>${escapeHtml(WORDS[lang].noOthers)}</p>`
          : `<ul>${block.parties
              .map(
                (party) =>
                  `<li><strong>${escapeHtml(party.heading)}</strong><br>${party.lines.map(escapeHtml).join('<br>')}</li>`,
              )
              .join('')}</ul>`,
      )
    }
  }
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body.join('')}</body></html>`
}

export function renderEmail(
  event: NotificationEvent,
  perspective: Perspective,
  lang: Language,
): RenderedEmail {
  const context = contextOf(event, perspective, lang)
  const subject = `${WORDS[lang].brand}: ${TITLES[event.type][lang]}${event.matchId ? ` (match ${event.matchId.slice(0, 8)})` : ''}`
  const blocks = blocksOf(context)
  return { subject, text: toText(blocks, lang), html: toHtml(blocks, lang, subject) }
}
