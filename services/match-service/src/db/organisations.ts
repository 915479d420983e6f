import { ProblemError, ruleViolation } from '@verwijsindex/shared'
import type { Kysely, Transaction } from 'kysely'
import type { MatchDatabase, Organisation } from './schema.js'

export interface OrganisationInput {
  id: string
  name: string
  sector: string
  region: string
  email: string
  mayCoordinate: boolean
  active: boolean
}

export async function createOrganisation(
  trx: Transaction<MatchDatabase>,
  input: OrganisationInput,
  now: Date,
): Promise<Organisation> {
  const region = await trx
    .selectFrom('match.regions')
    .select('code')
    .where('code', '=', input.region)
    .executeTakeFirst()
  if (!region) throw ruleViolation('/region', `region ${input.region} does not exist`)
  const row = await trx
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
  if (!row) throw new ProblemError('conflict', `organisation ${input.id} already exists`)
  return row
}

export async function updateOrganisation(
  trx: Transaction<MatchDatabase>,
  id: string,
  changes: Partial<Omit<OrganisationInput, 'id'>>,
  now: Date,
): Promise<Organisation | undefined> {
  if (changes.region !== undefined) {
    const region = await trx
      .selectFrom('match.regions')
      .select('code')
      .where('code', '=', changes.region)
      .executeTakeFirst()
    if (!region) throw ruleViolation('/region', `region ${changes.region} does not exist`)
  }
  const { region, ...rest } = changes
  return trx
    .updateTable('match.organisations')
    .set({ ...rest, ...(region !== undefined ? { regionCode: region } : {}), updatedAt: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()
}

export async function getOrganisation(
  db: Kysely<MatchDatabase>,
  id: string,
): Promise<Organisation | undefined> {
  return db.selectFrom('match.organisations').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function listOrganisations(
  db: Kysely<MatchDatabase>,
  filter: { region?: string; sector?: string; after?: string },
  limit: number,
): Promise<Organisation[]> {
  return db
    .selectFrom('match.organisations')
    .selectAll()
    .$if(filter.region !== undefined, (q) => q.where('regionCode', '=', filter.region as string))
    .$if(filter.sector !== undefined, (q) => q.where('sector', '=', filter.sector as string))
    .$if(filter.after !== undefined, (q) => q.where('id', '>', filter.after as string))
    .orderBy('id')
    .limit(limit)
    .execute()
}
