import {
  type CoordinationStatus,
  type DeclineReason,
  type EventType,
  isDeclineReason,
  isSector,
  type Sector,
  TIME_ZONE,
} from '@verwijsindex/shared'
import type { Language } from '../notification.js'
import { EN } from './copy.en.js'
import { NL } from './copy.nl.js'

/**
 * A sentence that reads one way to the organisation it is about ("your organisation …") and another way
 * to everyone else ("<name> …"). Which one applies is decided once, in sentences.ts.
 */
export interface Addressed<Facts> {
  self: (facts: Facts) => string
  other: (facts: Facts) => string
}

interface Coordinator {
  /** The coordinating organisation's name, if there is one. */
  coordinator: string | null
  /** When the proposed coordinator must answer, formatted. */
  due: string | null
}

/** The sentences of each event type, in one language. */
export interface EventCopy {
  'match.created': string
  'match.party_joined': Addressed<{ subject: string }>
  'match.party_left': Addressed<{ subject: string }>
  'match.closed': string
  'household.linked': string
  'registration.ending_soon': (endsAt: string | null) => string
  'registration.ended': (endsAt: string | null) => string
  'coordination.proposed': Addressed<Coordinator>
  'coordination.accepted': Addressed<Coordinator>
  'coordination.declined': {
    declined: (reason: string | null) => string
    nowProposed: Addressed<Coordinator>
    noCandidate: string
  }
  'coordination.unassigned': string
  'coordination.transfer_requested': Addressed<{ receiver: string | null }>
  'coordination.transferred': Addressed<Coordinator>
  'coordination.escalated': { escalated: (level: string) => string; namedForStep: string }
  'match.follow_up_due': {
    /** To a party that has not recorded contact with the others yet. */
    contact: (due: string | null) => string
    /** To the coordinator: parties still silent past the region's contact deadline. */
    contactOverdue: (silent: string) => string
    /** To the coordinator: the warm handover is due. */
    warmHandover: (due: string | null) => string
    /** To the coordinator: the match closed before the warm handover was recorded. */
    closedBeforeHandover: (due: string | null) => string
  }
}

/**
 * Everything a mail says in one language. Keyed on the shared enums: a new sector, event type, decline
 * reason or coordination status fails the typecheck here until both languages name it.
 */
export interface MailCopy {
  /** For dates and times (BCP 47). */
  locale: string
  brand: string
  titles: Record<EventType, string>
  events: EventCopy
  sectors: Record<Sector, string>
  declineReasons: Record<DeclineReason, string>
  coordinationStatus: Record<CoordinationStatus, string>
  /** Stands in for the organisation an event is about when the event does not name it. */
  anOrganisation: string
  greetingProfessional: (name: string) => string
  greetingMailbox: (organisation: string) => string
  match: string
  registration: string
  reference: string
  references: string
  coordinator: string
  none: string
  dueBy: (due: string) => string
  transfer: string
  escalation: string
  others: string
  involved: string
  noOthers: string
  phone: string
  leftSince: (date: string) => string
  footer: (about: 'match' | 'registration') => string
  /** The subject's tail when one mail carries several changes. */
  andMore: (count: number) => string
}

export const MAIL_COPY: Record<Language, MailCopy> = { nl: NL, en: EN }

const dateFormat = (locale: string) =>
  new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, dateStyle: 'long', timeStyle: 'short' })

const DATE_FORMATS: Record<Language, Intl.DateTimeFormat> = {
  nl: dateFormat(NL.locale),
  en: dateFormat(EN.locale),
}

export function formatInstant(iso: string, language: Language): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : DATE_FORMATS[language].format(date)
}

/** Events carry the sector as a string: one outside the closed list (a newer producer) shows as its code. */
export function sectorLabel(sector: string, language: Language): string {
  return isSector(sector) ? MAIL_COPY[language].sectors[sector] : sector
}

export function declineReasonLabel(reason: string, language: Language): string {
  return isDeclineReason(reason) ? MAIL_COPY[language].declineReasons[reason] : reason
}
