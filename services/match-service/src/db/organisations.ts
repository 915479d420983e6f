import type { Sector } from '@verwijsindex/shared'
import type { Kysely, Transaction } from 'kysely'
import type { MatchDatabase, Organisation } from './schema.js'

export interface OrganisationInput {
  id: string
  name: string
  sector: Sector
  region: string
  email: string
  mayCoordinate: boolean
  active: boolean
}

/** Creates an organisation; undefined when one with this id exists. */
export async function createOrganisation(
  trx: Transaction<MatchDatabase>,
  input: OrganisationInput,
  now: Date,
): Promise<Organisation | undefined> {
  return trx
    .insertInto('match.organisations')
    .values({
      id: input.id,
      name: input.name,
      sector: input.sector,
      regionCode: input.region,
      email: input.email,
      mayCoordinate: input.mayCoordinate,
      active: input.active,
      createdAt: now,
      updatedAt: now,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returningAll()
    .executeTakeFirst()
}

export async function updateOrganisation(
  trx: Transaction<MatchDatabase>,
  id: string,
  changes: Partial<Omit<OrganisationInput, 'id'>>,
  now: Date,
): Promise<Organisation | undefined> {
  const { region, ...rest } = changes
  return trx
    .updateTable('match.organisations')
    .set({ ...rest, ...(region !== undefined ? { regionCode: region } : {}), updatedAt: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()
}

/** The shared lookup the kernel's organisation check uses too. */
export { findOrganisation as getOrganisation } from '@verwijsindex/shared'

export async function listOrganisations(
  db: Kysely<MatchDatabase>,
  filter: { region?: string | undefined; sector?: Sector | undefined; after?: string | undefined },
  limit: number,
): Promise<Organisation[]> {
  return db
    .selectFrom('match.organisations')
    .selectAll()
    .$if(filter.region !== undefined, (q) => q.where('regionCode', '=', filter.region as string))
    .$if(filter.sector !== undefined, (q) => q.where('sector', '=', filter.sector as Sector))
    .$if(filter.after !== undefined, (q) => q.where('id', '>', filter.after as string))
    .orderBy('id')
    .limit(limit)
    .execute()
}

/** How the organisations are named to professionals (id, name, sector); unknown ids are left out. */
export async function organisationRefs(
  db: Kysely<MatchDatabase>,
  ids: string[],
): Promise<{ id: string; name: string; sector: Sector }[]> {
  if (ids.length === 0) return []
  return db
    .selectFrom('match.organisations')
    .select(['id', 'name', 'sector'])
    .where('id', 'in', ids)
    .execute()
}

/** How events name the organisations: with their functional mailbox. */
export async function eventOrganisations(
  db: Kysely<MatchDatabase>,
  ids: string[],
): Promise<{ id: string; name: string; sector: Sector; email: string }[]> {
  if (ids.length === 0) return []
  return db
    .selectFrom('match.organisations')
    .select(['id', 'name', 'sector', 'email'])
    .where('id', 'in', ids)
    .execute()
}

/** The organisations as the coordination rules weigh them. */
export async function ruleOrganisations(
  db: Kysely<MatchDatabase>,
  ids: string[],
): Promise<{ id: string; name: string; sector: Sector; mayCoordinate: boolean; active: boolean }[]> {
  if (ids.length === 0) return []
  return db
    .selectFrom('match.organisations')
    .select(['id', 'name', 'sector', 'mayCoordinate', 'active'])
    .where('id', 'in', ids)
    .execute()
}
