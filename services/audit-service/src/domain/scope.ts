import type { Actor } from '@verwijsindex/shared'

/**
 * What an actor may search in the audit log. The index's auditor: everything. An organisation's own
 * auditor (`org_auditor`, NEN 7513's organisation view): its own organisation's staff only — the
 * organisation filter is forced to its `org`; asking for another organisation is refused (`denied`).
 */
export function scopeFilters<F extends { organisation?: string | undefined }>(
  actor: Pick<Actor, 'roles' | 'organisation'>,
  filters: F,
): F | 'denied' {
  if (actor.roles.includes('auditor')) return filters
  if (!actor.roles.includes('org_auditor') || !actor.organisation) return 'denied'
  if (filters.organisation !== undefined && filters.organisation !== actor.organisation) return 'denied'
  return { ...filters, organisation: actor.organisation }
}
