import { type CreatedAtCursor, olderThan } from '@verwijsindex/shared'
import type { Kysely } from 'kysely'
import type { ExcludedAddress, MatchDatabase } from './schema.js'

/** Adds an address to the register; `created` is false when it was there already (kept as it was). */
export async function addExcludedAddress(
  db: Kysely<MatchDatabase>,
  householdKey: string,
  now: Date,
  addedBy: string,
): Promise<{ address: ExcludedAddress; created: boolean }> {
  const inserted = await db
    .insertInto('match.excludedAddresses')
    .values({ householdKey, addedAt: now, addedBy })
    .onConflict((oc) => oc.column('householdKey').doNothing())
    .returningAll()
    .executeTakeFirst()
  if (inserted) return { address: inserted, created: true }
  const existing = await db
    .selectFrom('match.excludedAddresses')
    .selectAll()
    .where('householdKey', '=', householdKey)
    .executeTakeFirstOrThrow()
  return { address: existing, created: false }
}

/** Removes an address from the register; false when it was not on it. */
export async function removeExcludedAddress(
  db: Kysely<MatchDatabase>,
  householdKey: string,
): Promise<boolean> {
  const removed = await db
    .deleteFrom('match.excludedAddresses')
    .where('householdKey', '=', householdKey)
    .executeTakeFirst()
  return removed.numDeletedRows > 0n
}

/** The register, newest first (keyset on added_at, household_key). */
export async function listExcludedAddresses(
  db: Kysely<MatchDatabase>,
  after: CreatedAtCursor | undefined,
  limit: number,
): Promise<ExcludedAddress[]> {
  return db
    .selectFrom('match.excludedAddresses')
    .selectAll()
    .$if(after !== undefined, (q) => q.where(olderThan('addedAt', 'householdKey', after as CreatedAtCursor)))
    .orderBy('addedAt', 'desc')
    .orderBy('householdKey', 'desc')
    .limit(limit)
    .execute()
}
