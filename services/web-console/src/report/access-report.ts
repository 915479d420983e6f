import PDFDocument from 'pdfkit'
import type { AuditEvent, SubjectLookup } from '../api/index.js'
import { REPORT_NL as T } from '../copy/report.nl.js'

const day = (value: string | Date) =>
  new Intl.DateTimeFormat('nl-NL', { dateStyle: 'long', timeZone: 'Europe/Amsterdam' }).format(
    new Date(value),
  )
const moment = (value: string | Date) =>
  new Intl.DateTimeFormat('nl-NL', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Europe/Amsterdam',
  }).format(new Date(value))

/** Who did it, in words a parent understands: an organisation's name, or the index's own role; never an id. */
function whoOf(event: AuditEvent, names: Map<string, string>): string {
  if (event.actor.organisation) return names.get(event.actor.organisation) ?? T.someone
  const role =
    event.actor.roles.find((r) => T.roles[r]) ?? (event.actor.roles.includes('scheduler') ? 'service' : '')
  return T.roles[role] ?? T.roles.service ?? ''
}

function whatOf(action: string): string {
  return T.actions[action] ?? (action.startsWith('coordination.') ? T.coordinationAction : T.otherAction)
}

/**
 * The printable access report for a parent or young person (AVG art. 15): what the index holds on the
 * child and who accessed it when, the legal basis and the right to object, in plain Dutch, without the
 * index's internal ids. Organisations are named as the lookup names them.
 */
export function accessReportPdf(held: SubjectLookup, accesses: AuditEvent[], now: Date): Promise<Buffer> {
  const names = new Map<string, string>()
  for (const r of held.registrations) names.set(r.organisation.id, r.organisation.name)
  for (const m of held.matches) for (const p of m.parties) names.set(p.organisation.id, p.organisation.name)

  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    lang: 'nl-NL',
    displayTitle: true,
    bufferPages: true,
    info: { Title: T.title, Subject: 'AVG artikel 15', Creator: 'Verwijsindex' },
  })
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })

  const heading = (text: string) =>
    doc.moveDown(0.8).font('Helvetica-Bold').fontSize(13).text(text).moveDown(0.3)
  const para = (text: string) => doc.font('Helvetica').fontSize(10.5).text(text, { lineGap: 2 }).moveDown(0.4)
  const item = (text: string) =>
    doc.font('Helvetica').fontSize(10.5).text(`•  ${text}`, { indent: 0, lineGap: 2 }).moveDown(0.2)

  doc.font('Helvetica-Bold').fontSize(18).text(T.title)
  doc
    .font('Helvetica')
    .fontSize(10)
    .fillColor('#444444')
    .text(T.made(day(now)))
    .fillColor('black')
  doc.moveDown()
  para(T.intro)
  heading(T.whatIsTitle)
  para(T.whatIs)

  heading(T.heldTitle)
  if (!held.held && held.registrations.length === 0) para(T.nothingHeld)
  if (held.birthDate) para(T.birthDate(day(held.birthDate)))
  doc.font('Helvetica-Bold').fontSize(11).text(T.registrationsTitle).moveDown(0.2)
  if (held.registrations.length === 0) para(T.noRegistrations)
  for (const r of held.registrations) {
    const active = r.status === 'active'
    item(
      T.registration(
        r.organisation.name,
        T.kind[r.kind] ?? r.kind,
        day(r.createdAt),
        day(active ? r.endsAt : (r.endedAt ?? r.endsAt)),
        active,
      ),
    )
    para(T.contact(r.contact.name, r.contact.phone, r.contact.email))
    if (r.household) para(T.household)
  }
  doc.font('Helvetica-Bold').fontSize(11).text(T.matchesTitle).moveDown(0.2)
  if (held.matches.length === 0) para(T.noMatches)
  for (const m of held.matches) {
    item(T.match(m.parties.map((p) => p.organisation.name).join(', '), day(m.createdAt)))
    if (m.closedAt) para(T.matchClosed(day(m.closedAt)))
    if (m.coordination?.organisation) para(T.coordinator(m.coordination.organisation.name))
  }

  heading(T.accessTitle)
  para(T.accessIntro)
  if (accesses.length === 0) para(T.noAccess)
  for (const e of accesses) {
    item(
      `${moment(e.occurredAt)}: ${whoOf(e, names)} ${whatOf(e.action)}${e.outcome === 'denied' ? ` ${T.denied}` : ''}.`,
    )
  }

  heading(T.lawTitle)
  para(T.law)
  heading(T.rightsTitle)
  para(T.rights)

  const range = doc.bufferedPageRange()
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i)
    const bottom = doc.page.margins.bottom
    doc.page.margins.bottom = 0
    doc
      .font('Helvetica')
      .fontSize(9)
      .fillColor('#444444')
      .text(T.page(i + 1, range.count), 56, doc.page.height - 36, {
        align: 'center',
        width: doc.page.width - 112,
      })
    doc.page.margins.bottom = bottom
  }
  doc.end()
  return done
}
