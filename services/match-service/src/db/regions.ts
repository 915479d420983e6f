import { ProblemError, ruleViolation } from '@verwijsindex/shared'
import type { Kysely, Transaction } from 'kysely'
import type { RegionDocument } from '../domain/region-document.js'
import type { MatchDatabase } from './schema.js'

export interface StoredRegion {
  code: string
  version: number
  createdAt: Date
  document: RegionDocument
}

/** Stores a new version; the municipalities of the current versions are unique across regions. */
export async function putRegion(
  trx: Transaction<MatchDatabase>,
  code: string,
  document: RegionDocument,
  actor: string,
  now: Date,
): Promise<{ region: StoredRegion; created: boolean }> {
  const existing = await trx
    .selectFrom('match.regions')
    .select('currentVersion')
    .where('code', '=', code)
    .forUpdate()
    .executeTakeFirst()
  const version = (existing?.currentVersion ?? 0) + 1

  if (document.municipalities.length > 0) {
    const taken = await trx
      .selectFrom('match.regionMunicipalities')
      .select(['municipality', 'code'])
      .where('municipality', 'in', document.municipalities)
      .where('code', '!=', code)
      .execute()
    const first = taken[0]
    if (first) {
      throw ruleViolation(
        `/municipalities/${document.municipalities.indexOf(first.municipality)}`,
        `municipality ${first.municipality} already belongs to region ${first.code}`,
      )
    }
  }

  if (existing) {
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
    .values({ code, version, document: JSON.stringify(document), createdAt: now, createdBy: actor })
    .execute()
  await trx.deleteFrom('match.regionMunicipalities').where('code', '=', code).execute()
  if (document.municipalities.length > 0) {
    try {
      await trx
        .insertInto('match.regionMunicipalities')
        .values(document.municipalities.map((municipality) => ({ municipality, code })))
        .execute()
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new ProblemError(
          'conflict',
          'Another region claimed one of these municipalities at the same time',
        )
      }
      throw error
    }
  }
  return { region: { code, version, createdAt: now, document }, created: !existing }
}

export async function getRegion(
  db: Kysely<MatchDatabase>,
  code: string,
  version?: number,
): Promise<StoredRegion | undefined> {
  const row = await db
    .selectFrom('match.regionVersions as v')
    .innerJoin('match.regions as r', 'r.code', 'v.code')
    .select(['v.code', 'v.version', 'v.createdAt', 'v.document'])
    .where('v.code', '=', code)
    .$if(version === undefined, (q) => q.whereRef('v.version', '=', 'r.currentVersion'))
    .$if(version !== undefined, (q) => q.where('v.version', '=', version as number))
    .executeTakeFirst()
  return row
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
