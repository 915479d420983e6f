import { type Actor, ProblemError, recordAudit, ruleViolation } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import {
  getRegion,
  insertRegionVersion,
  listRegions,
  lockRegion,
  municipalityHeldElsewhere,
  replaceMunicipalities,
  type StoredRegion,
} from '../db/regions.js'
import type { RegionDocument } from '../domain/region-document.js'

/** An admin stores a new version of a region document; the municipalities of current versions are unique across regions. */
export async function putRegion(
  ctx: MatchContext,
  actor: Actor,
  code: string,
  document: RegionDocument,
): Promise<{ region: StoredRegion; created: boolean }> {
  const now = ctx.clock.now()
  return ctx.db.transaction().execute(async (trx) => {
    const current = await lockRegion(trx, code)
    const taken = await municipalityHeldElsewhere(trx, document.municipalities, code)
    if (taken) {
      throw ruleViolation(
        `/municipalities/${document.municipalities.indexOf(taken.municipality)}`,
        `municipality ${taken.municipality} already belongs to region ${taken.code}`,
      )
    }
    const region = { code, version: (current ?? 0) + 1, createdAt: now, document }
    await insertRegionVersion(trx, region, actor.id ?? actor.service)
    if (!(await replaceMunicipalities(trx, code, document.municipalities))) {
      throw new ProblemError(
        'conflict',
        'Another region claimed one of these municipalities at the same time',
      )
    }
    await recordAudit(trx, actor, 'region.write', { resource: { type: 'region', id: code } })
    return { region, created: current === undefined }
  })
}

export async function readRegions(
  ctx: MatchContext,
  actor: Actor,
  after: string | undefined,
  limit: number,
): Promise<StoredRegion[]> {
  const rows = await listRegions(ctx.db, after, limit)
  await recordAudit(ctx.db, actor, 'region.list')
  return rows
}

export async function readRegion(
  ctx: MatchContext,
  actor: Actor,
  code: string,
  version: number | undefined,
): Promise<StoredRegion> {
  const region = await getRegion(ctx.db, code, version)
  if (!region) throw new ProblemError('not_found', `No region ${code}${version ? ` version ${version}` : ''}`)
  await recordAudit(ctx.db, actor, 'region.read', { resource: { type: 'region', id: region.code } })
  return region
}
