import type { MailCopy } from './copy.js'

/** The English mail (NOTIFY_LANGUAGE=en). */
export const EN: MailCopy = {
  locale: 'en-GB',
  brand: 'Referral index',
  titles: {
    'match.created': 'new match',
    'match.party_joined': 'a new party joined a match',
    'match.party_left': 'a party left a match',
    'match.closed': 'match closed',
    'household.linked': 'household match',
    'registration.ending_soon': 'your registration ends soon',
    'registration.ended': 'your registration has ended',
    'coordination.proposed': 'care coordination proposed',
    'coordination.accepted': 'care coordination accepted',
    'coordination.declined': 'care coordination declined',
    'coordination.unassigned': 'no care coordinator found',
    'coordination.transfer_requested': 'transfer of care coordination requested',
    'coordination.transferred': 'care coordination transferred',
    'coordination.escalated': 'care coordination escalated',
    'match.follow_up_due': 'follow-up of a match is due',
  },
  events: {
    'match.created':
      'Several organisations are now involved with the same young person: there is a match. Please contact the other parties below to coordinate your care.',
    'match.party_joined': {
      self: () =>
        'Your registration joined an existing match: other organisations are already involved with this young person. Please contact them.',
      other: ({ subject }) =>
        `${subject} has become involved with this young person and joins the match. Please get in touch to coordinate your care.`,
    },
    'match.party_left': {
      self: () => 'Your organisation is no longer part of this match.',
      other: ({ subject }) =>
        `${subject} is no longer involved with this young person and has left the match.`,
    },
    'match.closed':
      'The match has been closed: fewer than two organisations are still involved. Any care coordination has ended.',
    'household.linked':
      'Organisations are involved with different children of the same household (one family, one plan). Please coordinate where needed.',
    'registration.ending_soon': (endsAt) =>
      `Your registration in the referral index ends on ${endsAt ?? 'short notice'}. If you are still involved and the registration is still needed, extend it in the referral index; otherwise nothing needs to be done.`,
    'registration.ended': (endsAt) =>
      `Your registration in the referral index has ended${endsAt ? ` on ${endsAt}` : ''}. It no longer takes part in matches.`,
    'coordination.proposed': {
      self: ({ due }) =>
        `Under the region's agreements your organisation is proposed as care coordinator for this match. Please accept or decline in the referral index${due ? ` by ${due}` : ''}.`,
      other: ({ coordinator, due }) =>
        `${coordinator ?? 'An organisation'} is proposed as care coordinator for this match${due ? ` and is asked to respond by ${due}` : ''}.`,
    },
    'coordination.accepted': {
      self: () => 'Your organisation has accepted care coordination for this match.',
      other: ({ coordinator }) =>
        `${coordinator ?? 'An organisation'} has accepted care coordination and is the point of contact for this match.`,
    },
    'coordination.declined': {
      declined: (reason) =>
        `The proposed care coordinator has declined${reason ? ` (reason: ${reason})` : ''}.`,
      nowProposed: {
        self: ({ due }) =>
          `Your organisation is now proposed as care coordinator. Please accept or decline in the referral index${due ? ` by ${due}` : ''}.`,
        other: ({ coordinator, due }) =>
          `${coordinator ?? 'Another organisation'} is now proposed${due ? ` and is asked to respond by ${due}` : ''}.`,
      },
      noCandidate: "There is no other candidate: escalation under the region's agreements starts.",
    },
    'coordination.unassigned':
      "No care coordinator could be found for this match. Under the region's agreements escalation starts; the parties are asked to agree on a coordinator together.",
    'coordination.transfer_requested': {
      self: () =>
        'It has been requested to transfer care coordination for this match to your organisation. Please accept the transfer in the referral index.',
      other: ({ receiver }) =>
        `It has been requested to transfer care coordination to ${receiver ?? 'another organisation'}. The transfer takes effect once it accepts.`,
    },
    'coordination.transferred': {
      self: () => 'Care coordination for this match has been transferred to your organisation.',
      other: ({ coordinator }) =>
        `Care coordination has been transferred to ${coordinator ?? 'another organisation'}.`,
    },
    'coordination.escalated': {
      escalated: (level) =>
        `Care coordination for this match has been escalated to level ${level}: there is no working arrangement yet on who coordinates.`,
      namedForStep:
        "Your organisation is named for this step of the region's escalation ladder. You can view the match in the referral index and bring the parties together.",
    },

    'match.follow_up_due': {
      contact: (due) =>
        `Your organisation has not yet recorded in the referral index that it contacted the other parties of this match. Please get in touch with them and record the contact${due ? ` by ${due}` : ''}.`,
      contactOverdue: (silent) =>
        `As care coordinator: these parties have not recorded contact with the others within the region's deadline: ${silent}. Please bring them together.`,
      warmHandover: (due) =>
        `As care coordinator: the warm handover (care arranged and the family arrived) was due${due ? ` on ${due}` : ''} and is not yet recorded. Please check and record it in the referral index.`,
      closedBeforeHandover: (due) =>
        `This match has closed before the warm handover was recorded. As care coordinator you can still record it in the referral index${due ? ` until ${due}` : ''}.`,
    },
  },
  sectors: {
    'jgz-0-4': 'youth health care 0-4',
    'jgz-4-19': 'youth health care 4-19',
    'school-po': 'primary school',
    'school-vo': 'secondary school',
    'school-mbo': 'vocational college',
    'school-social-work': 'school social work',
    amw: 'general social work',
    cjg: 'youth and family centre',
    bjz: 'youth protection',
    'veilig-thuis': 'Veilig Thuis (domestic violence)',
    police: 'police',
    justice: 'justice',
    ggz: 'youth mental health',
    'ggz-adult': 'adult mental health',
    'youth-care': 'youth care',
    municipality: 'municipality',
    gp: 'general practitioner',
    childcare: 'childcare',
    other: 'other',
  },
  declineReasons: {
    not_involved: 'not involved',
    no_capacity: 'no capacity',
    other_is_better_placed: 'another organisation is better placed',
    other: 'other reason',
  },
  coordinationStatus: {
    proposed: 'proposed',
    accepted: 'accepted',
    unassigned: 'not assigned',
    ended: 'ended',
  },
  anOrganisation: 'An organisation',
  greetingProfessional: (name) => `Dear ${name},`,
  greetingMailbox: (organisation) => `Dear colleagues at ${organisation},`,
  match: 'Match',
  registration: 'Registration',
  reference: 'Your reference',
  references: 'Your references',
  coordinator: 'Care coordinator',
  none: 'nobody yet',
  dueBy: (due) => `respond by ${due}`,
  transfer: 'Transfer requested to',
  escalation: 'Escalation level',
  others: 'Other parties involved',
  involved: 'Parties involved',
  noOthers: 'No other parties are involved any more.',
  phone: 'phone',
  leftSince: (date) => `no longer involved since ${date}`,
  footer: (about) =>
    `This message deliberately holds no details of the young person or of the care. Look up the ${about} in the referral index by the number above. You receive this message because your organisation is involved or has been designated.`,
  andMore: (count) => `and ${count} more ${count === 1 ? 'change' : 'changes'}`,
}
