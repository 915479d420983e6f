/** What a registration did to the child's match; each becomes an event and an audit entry. */
export type MatchChangeType = 'match.created' | 'match.party_joined' | 'match.party_left' | 'match.closed'

export interface MatchChange {
  type: MatchChangeType
  matchId: string
  registrationId: string | null
  /**
   * The registrations whose party left the match with this change: they hear of it, unlike a party that
   * left before (need to know ends at `leftAt`), however close in time that was.
   */
  left?: readonly string[]
}

/** A match exists while two or more distinct organisations are active on the child; below two it closes. */
export function formsMatch(active: readonly { organisationId: string }[]): boolean {
  return new Set(active.map((r) => r.organisationId)).size >= 2
}

/**
 * The municipality that places a match in a region: the most recent registration's that names one
 * (docs/architecture.md); without one the earliest party's organisation decides.
 */
export function latestMunicipality(registrations: readonly { municipality: string | null }[]): string | null {
  return [...registrations].reverse().find((r) => r.municipality)?.municipality ?? null
}
