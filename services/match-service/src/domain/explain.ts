import type { PartyCandidate } from './coordination-rules.js'

export interface HypotheticalParty {
  sector: string
  organisation?: string | undefined
}

export interface NamedOrganisation {
  id: string
  sector: string
  mayCoordinate: boolean
  active: boolean
}

/**
 * The rule candidates of a hypothetical case. A party given only by sector is taken as able to coordinate;
 * a named one as the index knows it, and one it does not know (or has deactivated) is skipped, in the trace.
 */
export function hypotheticalCandidates(
  parties: readonly HypotheticalParty[],
  named: readonly NamedOrganisation[],
): { candidates: PartyCandidate[]; skipped: { ruleId: string; applied: boolean; reason: string }[] } {
  const candidates = parties.flatMap((p): PartyCandidate[] => {
    if (!p.organisation) return [{ organisationId: null, sector: p.sector, mayCoordinate: true }]
    const org = named.find((o) => o.id === p.organisation)
    return org?.active
      ? [{ organisationId: org.id, sector: org.sector, mayCoordinate: org.mayCoordinate }]
      : []
  })
  const unknown = parties
    .map((p) => p.organisation)
    .filter((id): id is string => Boolean(id) && !named.some((o) => o.id === id && o.active))
  const skipped = unknown.map((id) => ({
    ruleId: 'parties',
    applied: false,
    reason: `organisation ${id} is unknown or deactivated; skipped`,
  }))
  return { candidates, skipped }
}
