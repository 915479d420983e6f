import type { MailCopy } from './copy.js'

/** The Dutch mail (the default, NOTIFY_LANGUAGE=nl). */
export const NL: MailCopy = {
  locale: 'nl-NL',
  brand: 'Verwijsindex',
  titles: {
    'match.created': 'nieuwe match',
    'match.party_joined': 'nieuwe betrokkene bij een match',
    'match.party_left': 'betrokkene heeft een match verlaten',
    'match.closed': 'match gesloten',
    'household.linked': 'gezinsmatch',
    'registration.ending_soon': 'uw registratie loopt binnenkort af',
    'registration.ended': 'uw registratie is beëindigd',
    'coordination.proposed': 'zorgcoördinatie voorgesteld',
    'coordination.accepted': 'zorgcoördinatie aanvaard',
    'coordination.declined': 'zorgcoördinatie afgewezen',
    'coordination.unassigned': 'geen zorgcoördinator gevonden',
    'coordination.transfer_requested': 'overdracht van zorgcoördinatie gevraagd',
    'coordination.transferred': 'zorgcoördinatie overgedragen',
    'coordination.escalated': 'zorgcoördinatie geëscaleerd',
    'match.follow_up_due': 'opvolging van een match',
  },
  events: {
    'match.created':
      'Bij dezelfde jongere zijn nu meerdere organisaties betrokken: er is een match. Neem contact op met de andere betrokkenen hieronder om uw zorg op elkaar af te stemmen.',
    'match.party_joined': {
      self: () =>
        'Uw registratie is toegevoegd aan een bestaande match: andere organisaties zijn al betrokken bij deze jongere. Neem contact met hen op.',
      other: ({ subject }) =>
        `${subject} is betrokken geraakt bij deze jongere en neemt deel aan de match. Neem contact op om uw zorg op elkaar af te stemmen.`,
    },
    'match.party_left': {
      self: () => 'Uw organisatie neemt niet langer deel aan deze match.',
      other: ({ subject }) =>
        `${subject} is niet langer betrokken bij deze jongere en heeft de match verlaten.`,
    },
    'match.closed':
      'De match is gesloten: er zijn minder dan twee organisaties meer betrokken. Een eventuele zorgcoördinatie is beëindigd.',
    'household.linked':
      'Er zijn organisaties betrokken bij verschillende kinderen uit hetzelfde gezin (één gezin, één plan). Stem zo nodig met elkaar af.',
    'registration.ending_soon': (endsAt) =>
      `Uw registratie in de verwijsindex loopt af op ${endsAt ?? 'korte termijn'}. Bent u dan nog betrokken en is de registratie nog nodig, verleng haar dan in de verwijsindex; anders hoeft u niets te doen.`,
    'registration.ended': (endsAt) =>
      `Uw registratie in de verwijsindex is beëindigd${endsAt ? ` op ${endsAt}` : ''}. Ze doet niet meer mee in matches.`,
    'coordination.proposed': {
      self: ({ due }) =>
        `Uw organisatie is volgens de afspraken in de regio voorgesteld als zorgcoördinator voor deze match. Aanvaard of wijs de coördinatie af in de verwijsindex${due ? `, uiterlijk ${due}` : ''}.`,
      other: ({ coordinator, due }) =>
        `${coordinator ?? 'Een organisatie'} is voorgesteld als zorgcoördinator voor deze match${due ? ` en reageert uiterlijk ${due}` : ''}.`,
    },
    'coordination.accepted': {
      self: () => 'Uw organisatie heeft de zorgcoördinatie voor deze match aanvaard.',
      other: ({ coordinator }) =>
        `${coordinator ?? 'Een organisatie'} heeft de zorgcoördinatie aanvaard en is het aanspreekpunt voor deze match.`,
    },
    'coordination.declined': {
      declined: (reason) =>
        `De voorgestelde zorgcoördinator heeft de coördinatie afgewezen${reason ? ` (reden: ${reason})` : ''}.`,
      nowProposed: {
        self: ({ due }) =>
          `Uw organisatie is nu voorgesteld als zorgcoördinator. Aanvaard of wijs af in de verwijsindex${due ? `, uiterlijk ${due}` : ''}.`,
        other: ({ coordinator, due }) =>
          `Nu is ${coordinator ?? 'een andere organisatie'} voorgesteld${due ? `, met reactie uiterlijk ${due}` : ''}.`,
      },
      noCandidate: 'Er is geen andere kandidaat: de escalatie volgens de afspraken in de regio start.',
    },
    'coordination.unassigned':
      'Voor deze match is geen zorgcoördinator gevonden. Volgens de afspraken in de regio start de escalatie; de betrokkenen wordt gevraagd samen een coördinator te kiezen.',
    'coordination.transfer_requested': {
      self: () =>
        'Er is gevraagd de zorgcoördinatie voor deze match aan uw organisatie over te dragen. Aanvaard de overdracht in de verwijsindex.',
      other: ({ receiver }) =>
        `Er is gevraagd de zorgcoördinatie over te dragen aan ${receiver ?? 'een andere organisatie'}. De overdracht gaat in zodra die haar aanvaardt.`,
    },
    'coordination.transferred': {
      self: () => 'De zorgcoördinatie voor deze match is aan uw organisatie overgedragen.',
      other: ({ coordinator }) =>
        `De zorgcoördinatie is overgedragen aan ${coordinator ?? 'een andere organisatie'}.`,
    },
    'coordination.escalated': {
      escalated: (level) =>
        `De zorgcoördinatie voor deze match is geëscaleerd naar niveau ${level}: er is nog geen werkende afspraak over wie coördineert.`,
      namedForStep:
        'Uw organisatie is in de escalatieladder van de regio aangewezen voor deze stap. U kunt de match in de verwijsindex inzien en de betrokkenen bijeenroepen.',
    },

    'match.follow_up_due': {
      contact: (due) =>
        `Uw organisatie heeft in de verwijsindex nog niet vastgelegd dat zij contact heeft gehad met de andere betrokkenen bij deze match. Neem contact met hen op en leg dat vast${due ? ` vóór ${due}` : ''}.`,
      contactOverdue: (silent) =>
        `Als zorgcoördinator: deze betrokkenen hebben binnen de termijn van de regio geen contact met de anderen vastgelegd: ${silent}. Breng hen bij elkaar.`,
      warmHandover: (due) =>
        `Als zorgcoördinator: de warme overdracht (zorg geregeld en het gezin is aangekomen) was${due ? ` op ${due}` : ''} verwacht en is nog niet vastgelegd. Controleer het en leg het vast in de verwijsindex.`,
      closedBeforeHandover: (due) =>
        `Deze match is gesloten voordat de warme overdracht is vastgelegd. Als zorgcoördinator kunt u die nog vastleggen in de verwijsindex${due ? ` tot ${due}` : ''}.`,
    },
  },
  sectors: {
    'jgz-0-4': 'jeugdgezondheidszorg 0-4',
    'jgz-4-19': 'jeugdgezondheidszorg 4-19',
    'school-po': 'basisschool',
    'school-vo': 'voortgezet onderwijs',
    'school-mbo': 'mbo',
    'school-social-work': 'schoolmaatschappelijk werk',
    amw: 'algemeen maatschappelijk werk',
    cjg: 'centrum voor jeugd en gezin',
    bjz: 'jeugdbescherming',
    'veilig-thuis': 'Veilig Thuis',
    police: 'politie',
    justice: 'justitie',
    ggz: 'jeugd-ggz',
    'ggz-adult': 'volwassenen-ggz',
    'youth-care': 'jeugdhulp',
    municipality: 'gemeente',
    gp: 'huisarts',
    childcare: 'kinderopvang',
    other: 'overig',
  },
  declineReasons: {
    not_involved: 'niet betrokken',
    no_capacity: 'geen capaciteit',
    other_is_better_placed: 'een ander is beter geplaatst',
    other: 'andere reden',
  },
  coordinationStatus: {
    proposed: 'voorgesteld',
    accepted: 'aanvaard',
    unassigned: 'niet toegewezen',
    ended: 'beëindigd',
  },
  anOrganisation: 'Een organisatie',
  greetingProfessional: (name) => `Beste ${name},`,
  greetingMailbox: (organisation) => `Beste collega's van ${organisation},`,
  match: 'Match',
  registration: 'Registratie',
  reference: 'Uw referentie',
  references: 'Uw referenties',
  coordinator: 'Zorgcoördinator',
  none: 'nog niemand',
  dueBy: (due) => `reactie uiterlijk ${due}`,
  transfer: 'Overdracht gevraagd aan',
  escalation: 'Escalatieniveau',
  others: 'Andere betrokkenen',
  involved: 'Betrokkenen',
  noOthers: 'Er zijn geen andere betrokkenen meer.',
  phone: 'tel.',
  leftSince: (date) => `niet meer betrokken sinds ${date}`,
  footer: (about) =>
    `Dit bericht bevat bewust geen gegevens over de jongere of over de zorg. Zoek de ${about === 'match' ? 'match' : 'registratie'} in de verwijsindex op met het nummer hierboven. U ontvangt dit bericht omdat uw organisatie erbij betrokken of ervoor aangewezen is.`,
  andMore: (count) => `en ${count} ${count === 1 ? 'andere wijziging' : 'andere wijzigingen'}`,
}
