import type { Sector } from '@verwijsindex/shared'
import { type Actor, amsterdamDate, ProblemError, recordAudit } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { organisationRefs, ruleOrganisations } from '../db/organisations.js'
import { getRegion } from '../db/regions.js'
import { ageOn } from '../domain/age.js'
import { evaluateCoordination, type TraceEntry } from '../domain/coordination-rules.js'
import { type HypotheticalParty, hypotheticalCandidates } from '../domain/explain.js'
import { knownOrganisations } from './reevaluate-coordination.js'

export interface HypotheticalCase {
  birthDate?: string | undefined
  ageYears?: number | undefined
  parties: HypotheticalParty[]
}

export interface Explanation {
  coordinator: { organisation: { id: string; name: string; sector: Sector } | null; sector: Sector } | null
  ruleId: string | null
  trace: TraceEntry[]
}

/** Which coordinator a region's rules would designate for a hypothetical case, and why; touches no data. */
export async function explainCoordination(
  ctx: MatchContext,
  actor: Actor,
  code: string,
  input: HypotheticalCase,
): Promise<Explanation> {
  const region = await getRegion(ctx.db, code)
  if (!region) throw new ProblemError('not_found', `No region ${code}`)
  const age = input.ageYears ?? ageOn(input.birthDate as string, amsterdamDate(ctx.clock.now()))
  return ctx.db.transaction().execute(async (trx) => {
    const ids = input.parties.map((p) => p.organisation).filter((id): id is string => Boolean(id))
    const { candidates, skipped } = hypotheticalCandidates(input.parties, await ruleOrganisations(trx, ids))
    const decision = evaluateCoordination({
      document: region.document,
      ageYears: age,
      parties: candidates,
      organisations: await knownOrganisations(trx, region),
      excluded: new Set(),
    })
    let coordinator: Explanation['coordinator'] = null
    if (decision.sector) {
      const [org] = decision.organisationId ? await organisationRefs(trx, [decision.organisationId]) : []
      coordinator = { organisation: org ?? null, sector: decision.sector as Sector }
    }
    await recordAudit(trx, actor, 'region.explain', { resource: { type: 'region', id: region.code } })
    return { coordinator, ruleId: decision.ruleId, trace: [...skipped, ...decision.trace] }
  })
}
