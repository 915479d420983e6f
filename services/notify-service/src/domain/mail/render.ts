import type { EventParty, EventType, NotificationEvent } from '@verwijsindex/shared'
import type { Language } from '../notification.js'
import type { Perspective } from '../perspective.js'
import { formatInstant, MAIL_COPY, sectorLabel } from './copy.js'
import { type Context, contextOf, sentencesOf } from './sentences.js'

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
  | { kind: 'heading'; text: string }
  | { kind: 'facts'; rows: [string, string][] }
  | { kind: 'parties'; title: string; parties: { heading: string; lines: string[] }[] }

const REGISTRATION_EVENTS: readonly EventType[] = ['registration.ending_soon', 'registration.ended']

function partyEntry(party: EventParty, lang: Language) {
  const w = MAIL_COPY[lang]
  return {
    heading: `${party.organisation.name} (${sectorLabel(party.organisation.sector, lang)})`,
    lines: [
      `${party.contact.name}, ${w.phone} ${party.contact.phone}, ${party.contact.email}`,
      ...(party.leftAt ? [w.leftSince(formatInstant(party.leftAt, lang))] : []),
    ],
  }
}

function factsOf(c: Context): [string, string][] {
  const { event, p, copy: w } = c
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
  return facts
}

/** What one event says: its sentences, its facts and, for a match, the parties. */
function eventBlocks(c: Context, heading: boolean): Block[] {
  const { event, p, lang, copy: w } = c
  const blocks: Block[] = [
    ...(heading ? [{ kind: 'heading' as const, text: w.titles[event.type] }] : []),
    ...sentencesOf(c).map((text) => ({ kind: 'paragraph' as const, text })),
    { kind: 'facts', rows: factsOf(c) },
  ]
  if (!REGISTRATION_EVENTS.includes(event.type)) {
    blocks.push({
      kind: 'parties',
      title: p.own.length > 0 ? w.others : w.involved,
      parties: p.others.map((o) => partyEntry(o, lang)),
    })
  }
  return blocks
}

/** One greeting, what each event says (under its title when there are several), one footer. */
function blocksOf(contexts: Context[]): Block[] {
  const first = contexts[0] as Context
  const { p, copy: w } = first
  const greeting = p.professionalName
    ? w.greetingProfessional(p.professionalName)
    : w.greetingMailbox(p.organisationName)
  const aboutMatch = contexts.some((c) => c.event.matchId)
  return [
    { kind: 'paragraph', text: greeting },
    ...contexts.flatMap((c) => eventBlocks(c, contexts.length > 1)),
    { kind: 'paragraph', text: w.footer(aboutMatch ? 'match' : 'registration') },
  ]
}

function toText(blocks: Block[], lang: Language): string {
  const out: string[] = []
  for (const block of blocks) {
    if (block.kind === 'paragraph') out.push(block.text)
    if (block.kind === 'heading') out.push(`== ${block.text} ==`)
    if (block.kind === 'facts' && block.rows.length > 0) {
      out.push(block.rows.map(([label, value]) => `${label}: ${value}`).join('\n'))
    }
    if (block.kind === 'parties') {
      const entries =
        block.parties.length === 0
          ? [MAIL_COPY[lang].noOthers]
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
    if (block.kind === 'heading') body.push(`<h2>${escapeHtml(block.text)}</h2>`)
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
          ? `<p>${escapeHtml(MAIL_COPY[lang].noOthers)}</p>`
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

/** The mail for one recipient about one event. */
export function renderEmail(
  event: NotificationEvent,
  perspective: Perspective,
  lang: Language,
): RenderedEmail {
  return renderEmails([{ event, perspective }], lang)
}

/**
 * One mail about several events for one recipient (the events of one change, or of a digest window), in
 * the order given. Its subject names the first event, and how many more there are.
 */
export function renderEmails(
  parts: readonly { event: NotificationEvent; perspective: Perspective }[],
  lang: Language,
): RenderedEmail {
  const contexts = parts.map((part) => contextOf(part.event, part.perspective, lang))
  const first = contexts[0]
  if (!first) throw new Error('a mail needs at least one event')
  const w = first.copy
  const matchId = first.event.matchId
  const more = contexts.length > 1 ? ` ${w.andMore(contexts.length - 1)}` : ''
  const subject = `${w.brand}: ${w.titles[first.event.type]}${more}${matchId ? ` (match ${matchId.slice(0, 8)})` : ''}`
  const blocks = blocksOf(contexts)
  return { subject, text: toText(blocks, lang), html: toHtml(blocks, lang, subject) }
}
