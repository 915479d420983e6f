/**
 * The access report's text, for a parent or young person (AVG art. 15): plain Dutch, no internal ids, no
 * jargon. Keyed on the audit catalogue's actions; an action not listed here reads as a plain "access".
 */
export const REPORT_NL = {
  title: 'Overzicht van uw gegevens in de verwijsindex',
  made: (date: string) => `Gemaakt op ${date}`,
  intro:
    'U heeft gevraagd welke gegevens de verwijsindex risicojongeren over uw kind (of over u) bewaart, en wie die gegevens heeft gezien. Dit overzicht geeft daar antwoord op.',
  whatIsTitle: 'Wat is de verwijsindex?',
  whatIs:
    'Organisaties die met kinderen en jongeren werken, zoals scholen, de jeugdgezondheidszorg en de politie, kunnen in de verwijsindex melden dát zij betrokken zijn bij een kind. De verwijsindex bewaart nooit wát er aan de hand is. Als twee of meer organisaties hetzelfde kind melden, krijgen zij elkaars contactgegevens, zodat zij kunnen samenwerken.',
  heldTitle: 'Wat de verwijsindex bewaart',
  nothingHeld: 'De verwijsindex bewaart op dit moment geen gegevens over dit kind.',
  birthDate: (date: string) => `Geboortedatum: ${date}.`,
  registrationsTitle: 'Meldingen',
  noRegistrations: 'Er zijn geen meldingen.',
  registration: (org: string, kind: string, from: string, to: string, active: boolean) =>
    `${org} meldde ${kind} op ${from}. ${active ? `Deze melding loopt tot ${to}.` : `Deze melding is beëindigd op ${to}; zij wordt nog een tijd bewaard, zoals de wet voorschrijft.`}`,
  kind: { concern: 'zorg over het kind', involvement: 'betrokkenheid bij het kind' } as Record<
    string,
    string
  >,
  contact: (name: string, phone: string, email: string) => `Contactpersoon: ${name}, ${phone}, ${email}.`,
  household:
    'Deze melding is gekoppeld aan andere kinderen op hetzelfde adres. Het adres zelf wordt niet bewaard.',
  matchesTitle: 'Samenwerking tussen organisaties',
  noMatches: 'Er is geen samenwerking tussen organisaties vastgelegd.',
  match: (orgs: string, from: string) =>
    `Sinds ${from} weten deze organisaties van elkaar dat zij betrokken zijn: ${orgs}.`,
  matchClosed: (to: string) => `Deze samenwerking is beëindigd op ${to}.`,
  coordinator: (org: string) =>
    `${org} heeft de regie: die organisatie zorgt dat de hulp op elkaar aansluit.`,
  accessTitle: 'Wie heeft de gegevens gezien of gebruikt',
  accessIntro:
    'Elke keer dat iemand de gegevens bekijkt of wijzigt, wordt dat vastgelegd. Hieronder staat wie dat deed en wanneer.',
  noAccess: 'Er is niemand geweest die de gegevens heeft bekeken of gebruikt.',
  denied: '(geweigerd: deze persoon mocht de gegevens niet zien en heeft ze niet gekregen)',
  roles: {
    admin: 'de beheerder van de verwijsindex',
    auditor: 'de controleur (auditor) van de verwijsindex',
    privacy_officer: 'de privacyfunctionaris van de verwijsindex',
    org_auditor: 'de controleur van een organisatie',
    service: 'de verwijsindex zelf (automatisch)',
  } as Record<string, string>,
  someone: 'een medewerker van een organisatie',
  actions: {
    'registration.create': 'heeft een melding gedaan',
    'registration.read': 'heeft de melding bekeken',
    'registration.update': 'heeft de melding gewijzigd',
    'registration.withdraw': 'heeft de melding ingetrokken',
    'registration.history': 'heeft eerdere meldingen opgevraagd',
    'registration.expire': 'de melding is afgelopen',
    'registration.remind': 'heeft een herinnering gestuurd dat de melding afloopt',
    'registration.purge': 'heeft een oude melding vernietigd',
    'match.create': 'heeft organisaties met elkaar in contact gebracht',
    'match.join': 'heeft een organisatie aan de samenwerking toegevoegd',
    'match.leave': 'een organisatie is uit de samenwerking gegaan',
    'match.close': 'de samenwerking is beëindigd',
    'match.read': 'heeft de samenwerking bekeken',
    'match.contacted': 'heeft vastgelegd dat er contact is geweest',
    'household.link': 'heeft meldingen van kinderen op hetzelfde adres gekoppeld',
    'household.read': 'heeft de gezinskoppeling bekeken',
    'subject.lookup': 'heeft alle gegevens opgezocht (voor een verzoek om inzage)',
    'subject.erase': 'heeft de gegevens gewist',
    'audit.subject_report': 'heeft opgevraagd wie de gegevens heeft gezien',
  } as Record<string, string>,
  coordinationAction: 'heeft de regie geregeld',
  otherAction: 'heeft de gegevens gebruikt',
  lawTitle: 'Waarom mag dit?',
  law: 'De verwijsindex bestaat op grond van de Jeugdwet (paragraaf 7.1.4, artikel 7.1.4.1 en verder). Organisaties mogen een kind melden als zij zich zorgen maken of betrokken zijn. U heeft het recht om te weten welke gegevens over u of uw kind worden bewaard en wie ze heeft gezien (Algemene verordening gegevensbescherming, AVG, artikel 15). Dit overzicht is het antwoord op dat verzoek.',
  rightsTitle: 'Bent u het er niet mee eens?',
  rights:
    'U kunt bezwaar maken tegen een melding (AVG artikel 21). Neem daarvoor contact op met de organisatie die de melding deed, of met de privacyfunctionaris van de verwijsindex. Als de melding niet terecht is, of als uw bezwaar wordt toegekend, worden de gegevens gewist (AVG artikel 17). Bent u niet tevreden over hoe met uw verzoek is omgegaan, dan kunt u een klacht indienen bij de Autoriteit Persoonsgegevens.',
  page: (n: number, of: number) => `Pagina ${n} van ${of}`,
}
