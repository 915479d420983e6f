import type { Actor } from '@verwijsindex/shared'

/**
 * Whose notifications an actor sees: an organisation's tokens its own; the operator's admin every
 * organisation's (null), to retry dead ones.
 */
export function organisationScope(actor: Pick<Actor, 'roles' | 'organisation'>): string | null {
  return actor.roles.includes('admin') ? null : actor.organisation
}

/** Whether the actor may see what belongs to this organisation. */
export function seesOrganisation(
  actor: Pick<Actor, 'roles' | 'organisation'>,
  organisationId: string,
): boolean {
  const scope = organisationScope(actor)
  return scope === null || scope === organisationId
}

/** Who acts and for which organisation: the token check guarantees both for professional and system tokens. */
export function actingAs(actor: Pick<Actor, 'id' | 'organisation'>): { id: string; organisation: string } {
  if (actor.id === null || actor.organisation === null) {
    throw new Error('a professional or system token names its subject and organisation')
  }
  return { id: actor.id, organisation: actor.organisation }
}
