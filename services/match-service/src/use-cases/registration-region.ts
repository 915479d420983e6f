import type { Kysely } from 'kysely'
import { getRegion, regionOfMunicipality, type StoredRegion } from '../db/regions.js'
import type { MatchDatabase, Organisation } from '../db/schema.js'

/** The region that sets a registration's duration: by its municipality, else the organisation's own. */
export async function registrationRegion(
  db: Kysely<MatchDatabase>,
  municipality: string | null | undefined,
  organisation: Organisation,
): Promise<StoredRegion> {
  const code = (municipality && (await regionOfMunicipality(db, municipality))) || organisation.regionCode
  const region = await getRegion(db, code)
  if (!region) throw new Error(`region ${code} of organisation ${organisation.id} has no document`)
  return region
}
