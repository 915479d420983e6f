import type { EventType, NotificationEvent } from '@verwijsindex/shared'
import type { Language } from '../notification.js'
import { type Perspective, subjectParty } from '../perspective.js'
import { type Addressed, declineReasonLabel, formatInstant, MAIL_COPY, type MailCopy } from './copy.js'

/** Everything the sentences need, worked out once. */
export interface Context {
  event: NotificationEvent
  p: Perspective
  lang: Language
  copy: MailCopy
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

export function contextOf(event: NotificationEvent, p: Perspective, lang: Language): Context {
  const copy = MAIL_COPY[lang]
  const subject = subjectParty(event)
  const coordinator = event.coordination?.organisation ?? null
  const transfer = event.coordination?.pendingTransfer?.organisation ?? null
  return {
    event,
    p,
    lang,
    copy,
    subjectName: subject?.organisation.name ?? copy.anOrganisation,
    subjectIsRecipient: subject?.organisation.id === p.organisationId,
    coordinatorName: coordinator?.name ?? null,
    coordinatorIsRecipient: coordinator?.id === p.organisationId,
    due: event.coordination?.dueAt ? formatInstant(event.coordination.dueAt, lang) : null,
    transferName: transfer?.name ?? null,
    transferIsRecipient: transfer?.id === p.organisationId,
    endsAt: event.endsAt ? formatInstant(event.endsAt, lang) : null,
  }
}

const addressed = <F>(sentence: Addressed<F>, toSelf: boolean, facts: F) =>
  toSelf ? sentence.self(facts) : sentence.other(facts)

const coordinatorFacts = (c: Context) => ({ coordinator: c.coordinatorName, due: c.due })

/** Which sentences each event gets, for which recipient; the words come from the language's copy. */
const SENTENCES: Record<EventType, (c: Context, events: MailCopy['events']) => string[]> = {
  'match.created': (_, e) => [e['match.created']],
  'match.party_joined': (c, e) => [
    addressed(e['match.party_joined'], c.subjectIsRecipient, { subject: c.subjectName }),
  ],
  'match.party_left': (c, e) => [
    addressed(e['match.party_left'], c.subjectIsRecipient, { subject: c.subjectName }),
  ],
  'match.closed': (_, e) => [e['match.closed']],
  'household.linked': (_, e) => [e['household.linked']],
  'registration.ending_soon': (c, e) => [e['registration.ending_soon'](c.endsAt)],
  'registration.ended': (c, e) => [e['registration.ended'](c.endsAt)],
  'coordination.proposed': (c, e) => [
    addressed(e['coordination.proposed'], c.coordinatorIsRecipient, coordinatorFacts(c)),
  ],
  'coordination.accepted': (c, e) => [
    addressed(e['coordination.accepted'], c.coordinatorIsRecipient, coordinatorFacts(c)),
  ],
  'coordination.declined': (c, e) => {
    const copy = e['coordination.declined']
    const reason = c.event.coordination?.reason
    return [
      copy.declined(reason ? declineReasonLabel(reason, c.lang) : null),
      c.event.coordination?.status === 'proposed'
        ? addressed(copy.nowProposed, c.coordinatorIsRecipient, coordinatorFacts(c))
        : copy.noCandidate,
    ]
  },
  'coordination.unassigned': (_, e) => [e['coordination.unassigned']],
  'coordination.transfer_requested': (c, e) => [
    addressed(e['coordination.transfer_requested'], c.transferIsRecipient, { receiver: c.transferName }),
  ],
  'coordination.transferred': (c, e) => [
    addressed(e['coordination.transferred'], c.coordinatorIsRecipient, coordinatorFacts(c)),
  ],
  'coordination.escalated': (c, e) => {
    const copy = e['coordination.escalated']
    return [
      copy.escalated(String(c.event.coordination?.escalationLevel ?? '?')),
      // An escalation step's organisation that is no party yet is told why it hears of this match.
      ...(c.p.namedOrganisation && c.p.own.length === 0 ? [copy.namedForStep] : []),
    ]
  },
  'match.follow_up_due': (c, e) => {
    const copy = e['match.follow_up_due']
    const followUp = c.event.followUp
    const due = followUp?.dueAt ? formatInstant(followUp.dueAt, c.lang) : null
    switch (followUp?.due) {
      case 'contact_overdue':
        return [copy.contactOverdue(followUp.silent.map((o) => o.name).join(', ') || c.copy.anOrganisation)]
      case 'warm_handover':
        return [copy.warmHandover(due)]
      case 'closed_before_handover':
        return [copy.closedBeforeHandover(due)]
      default:
        return [copy.contact(due)]
    }
  },
}

/** The paragraphs that say what happened, to this recipient. */
export function sentencesOf(c: Context): string[] {
  return SENTENCES[c.event.type](c, c.copy.events)
}
