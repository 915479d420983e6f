import { type Caller, call, download, type Query } from './http.js'
import type {
  ArchivedRegistration,
  ExcludedAddress,
  Kind,
  Match,
  Organisation,
  Page,
  Region,
  Registration,
  Statistics,
  SubjectLookup,
} from './types.js'

/** match-service's routes, one function each: registrations, matches, coordination, subjects, admin. */
export function matchApi(base: string) {
  const at = (path: string) => `${base}${path}`
  return {
    register: (
      c: Caller,
      body: { bsn: string; birthDate: string; kind: Kind; durationDays?: number; externalReference?: string },
    ) => call<Registration & { matchId: string | null }>(c, 'POST', at('/v1/registrations'), { body }),
    registrations: (c: Caller, query: Query) =>
      call<Page<Registration>>(c, 'GET', at('/v1/registrations'), { query }),
    registration: (c: Caller, id: string) =>
      call<Registration>(c, 'GET', at(`/v1/registrations/${encodeURIComponent(id)}`)),
    extend: (c: Caller, id: string, durationDays: number) =>
      call<Registration>(c, 'PATCH', at(`/v1/registrations/${encodeURIComponent(id)}`), {
        body: { durationDays },
      }),
    withdraw: (c: Caller, id: string, reason: string) =>
      call<Registration>(c, 'POST', at(`/v1/registrations/${encodeURIComponent(id)}/withdraw`), {
        body: { reason },
      }),
    history: (c: Caller, id: string, purpose: string) =>
      call<{ items: ArchivedRegistration[] }>(
        c,
        'POST',
        at(`/v1/registrations/${encodeURIComponent(id)}/history`),
        {
          body: { purpose },
        },
      ),
    matches: (c: Caller, query: Query) => call<Page<Match>>(c, 'GET', at('/v1/matches'), { query }),
    match: (c: Caller, id: string) => call<Match>(c, 'GET', at(`/v1/matches/${encodeURIComponent(id)}`)),
    accept: (c: Caller, id: string) =>
      call<Match>(c, 'POST', at(`/v1/matches/${encodeURIComponent(id)}/coordination/accept`), { body: {} }),
    decline: (c: Caller, id: string, reason: string) =>
      call<Match>(c, 'POST', at(`/v1/matches/${encodeURIComponent(id)}/coordination/decline`), {
        body: { reason },
      }),
    transfer: (c: Caller, id: string, organisation: string) =>
      call<Match>(c, 'POST', at(`/v1/matches/${encodeURIComponent(id)}/coordination/transfer`), {
        body: { organisation },
      }),
    contacted: (c: Caller, id: string) =>
      call<Match>(c, 'POST', at(`/v1/matches/${encodeURIComponent(id)}/contacted`), { body: {} }),
    escalate: (c: Caller, id: string, reason: string) =>
      call<Match>(c, 'POST', at(`/v1/matches/${encodeURIComponent(id)}/escalate`), { body: { reason } }),
    lookupSubject: (c: Caller, bsn: string) =>
      call<SubjectLookup>(c, 'POST', at('/v1/subjects/lookup'), { body: { bsn } }),
    eraseSubject: (c: Caller, bsn: string, reason: string) =>
      call<{ erased: { registrations: number; matches: number } }>(c, 'POST', at('/v1/subjects/erase'), {
        body: { bsn, reason },
      }),
    organisations: (c: Caller, query: Query) =>
      call<Page<Organisation>>(c, 'GET', at('/v1/organisations'), { query }),
    organisation: (c: Caller, id: string) =>
      call<Organisation>(c, 'GET', at(`/v1/organisations/${encodeURIComponent(id)}`)),
    createOrganisation: (
      c: Caller,
      body: Omit<Organisation, 'active' | 'mayCoordinate'> & { active?: boolean; mayCoordinate?: boolean },
    ) => call<Organisation>(c, 'POST', at('/v1/organisations'), { body }),
    updateOrganisation: (c: Caller, id: string, body: Partial<Omit<Organisation, 'id'>>) =>
      call<Organisation>(c, 'PATCH', at(`/v1/organisations/${encodeURIComponent(id)}`), { body }),
    regions: (c: Caller) => call<Page<Region>>(c, 'GET', at('/v1/regions')),
    region: (c: Caller, code: string, version?: number) =>
      call<Region>(c, 'GET', at(`/v1/regions/${encodeURIComponent(code)}`), { query: { version } }),
    putRegion: (c: Caller, code: string, document: unknown) =>
      call<Region>(c, 'PUT', at(`/v1/regions/${encodeURIComponent(code)}`), { body: document }),
    statistics: (c: Caller, code: string, query: { from: string; to: string }) =>
      call<Statistics>(c, 'GET', at(`/v1/regions/${encodeURIComponent(code)}/statistics`), { query }),
    statisticsCsv: (c: Caller, code: string, query: { from: string; to: string }) =>
      download(c, at(`/v1/regions/${encodeURIComponent(code)}/statistics`), query, 'text/csv'),
    excludedAddresses: (c: Caller, query: Query) =>
      call<Page<ExcludedAddress>>(c, 'GET', at('/v1/excluded-addresses'), { query }),
    /** 201 when added, 200 when it was there already. */
    excludeAddress: (c: Caller, body: { postcode: string; houseNumber: string }) =>
      call<ExcludedAddress>(c, 'PUT', at('/v1/excluded-addresses'), { body }),
    includeAddress: (c: Caller, body: { postcode: string; houseNumber: string }) =>
      call<undefined>(c, 'DELETE', at('/v1/excluded-addresses'), { body }),
    explain: (c: Caller, code: string, body: { ageYears: number; parties: { sector: string }[] }) =>
      call<Record<string, unknown>>(c, 'POST', at(`/v1/regions/${encodeURIComponent(code)}/explain`), {
        body,
      }),
  }
}
