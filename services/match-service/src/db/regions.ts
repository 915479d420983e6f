import { compiledOnce } from '@verwijsindex/shared'
import type { Kysely, Transaction } from 'kysely'
import type { RegionDocument } from '../domain/region-document.js'
import type { MatchDatabase } from './schema.js'

export interface StoredRegion {
  code: string
  version: number
  createdAt: Date
  document: RegionDocument
}

/** Locks a region's row for a new version; its current version, or undefined for a new region. */
export async function lockRegion(trx: Transaction<MatchDatabase>, code: string): Promise<number | undefined> {
  const row = await trx
    .selectFrom('match.regions')
    .select('currentVersion')
    .where('code', '=', code)
    .forUpdate()
    .executeTakeFirst()
  return row?.currentVersion
}

/** The first of these municipalities that the current version of another region holds. */
export async function municipalityHeldElsewhere(
  trx: Transaction<MatchDatabase>,
  municipalities: string[],
  code: string,
): Promise<{ municipality: string; code: string } | undefined> {
  if (municipalities.length === 0) return undefined
  return trx
    .selectFrom('match.regionMunicipalities')
    .select(['municipality', 'code'])
    .where('municipality', 'in', municipalities)
    .where('code', '!=', code)
    .executeTakeFirst()
}

/** Stores version `version` of a region as its current one. */
export async function insertRegionVersion(
  trx: Transaction<MatchDatabase>,
  region: StoredRegion,
  createdBy: string,
): Promise<void> {
  const { code, version, createdAt: now, document } = region
  if (version > 1) {
    await trx
      .updateTable('match.regions')
      .set({ currentVersion: version, updatedAt: now })
      .where('code', '=', code)
      .execute()
  } else {
    await trx
      .insertInto('match.regions')
      .values({ code, currentVersion: version, createdAt: now, updatedAt: now })
      .execute()
  }
  await trx
    .insertInto('match.regionVersions')
    .values({ code, version, document: JSON.stringify(document), createdAt: now, createdBy })
    .execute()
}

/**
 * Makes these the region's municipalities; false when another region claimed one of them at the same
 * time (the unique index refused it, and the transaction is lost).
 */
export async function replaceMunicipalities(
  trx: Transaction<MatchDatabase>,
  code: string,
  municipalities: string[],
): Promise<boolean> {
  await trx.deleteFrom('match.regionMunicipalities').where('code', '=', code).execute()
  if (municipalities.length === 0) return true
  try {
    await trx
      .insertInto('match.regionMunicipalities')
      .values(municipalities.map((municipality) => ({ municipality, code })))
      .execute()
    return true
  } catch (error) {
    if ((error as { code?: string }).code === '23505') return false
    throw error
  }
}

/** The region a municipality (CBS code) belongs to. */
export async function regionOfMunicipality(
  db: Kysely<MatchDatabase>,
  municipality: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('match.regionMunicipalities')
    .select('code')
    .where('municipality', '=', municipality)
    .executeTakeFirst()
  return row?.code
}

const regionVersion = (db: Kysely<MatchDatabase>, code: string) =>
  db
    .selectFrom('match.regionVersions as v')
    .innerJoin('match.regions as r', 'r.code', 'v.code')
    .select(['v.code', 'v.version', 'v.createdAt', 'v.document'])
    .where('v.code', '=', code)

// Every registration reads its region's current version: compiled once.
const currentVersion = compiledOnce((db: Kysely<MatchDatabase>, p: { code: string }) =>
  regionVersion(db, p.code).whereRef('v.version', '=', 'r.currentVersion'),
)

/** A region's current version, or the version asked for. */
export async function getRegion(
  db: Kysely<MatchDatabase>,
  code: string,
  version?: number,
): Promise<StoredRegion | undefined> {
  if (version === undefined) return (await currentVersion(db, { code }))[0]
  return regionVersion(db, code).where('v.version', '=', version).executeTakeFirst()
}

export async function listRegions(
  db: Kysely<MatchDatabase>,
  after: string | undefined,
  limit: number,
): Promise<StoredRegion[]> {
  return db
    .selectFrom('match.regionVersions as v')
    .innerJoin('match.regions as r', (j) =>
      j.onRef('r.code', '=', 'v.code').onRef('r.currentVersion', '=', 'v.version'),
    )
    .select(['v.code', 'v.version', 'v.createdAt', 'v.document'])
    .$if(after !== undefined, (q) => q.where('v.code', '>', after as string))
    .orderBy('v.code')
    .limit(limit)
    .execute()
}

export async function regionExists(db: Kysely<MatchDatabase>, code: string): Promise<boolean> {
  return Boolean(
    await db.selectFrom('match.regions').select('code').where('code', '=', code).executeTakeFirst(),
  )
}
