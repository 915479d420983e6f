import type { CoordinationRule, RegionDocument } from './region-document.js'

/** An organisation involved in the match (or, in `explain`, a hypothetical party). */
export interface PartyCandidate {
  /** null for a party given only by sector in `explain`. */
  organisationId: string | null
  sector: string
  mayCoordinate: boolean
}

export interface KnownOrganisation {
  id: string
  sector: string
  mayCoordinate: boolean
  active: boolean
}

export interface EvaluationInput {
  document: RegionDocument
  /** Whole years on the evaluation day (Europe/Amsterdam); null when unknown. */
  ageYears: number | null
  /** Active parties, earliest registration first. */
  parties: PartyCandidate[]
  /** Organisations the document may name (designated, fallback), by id. */
  organisations: ReadonlyMap<string, KnownOrganisation>
  /** Organisations that declined this match: never proposed again. */
  excluded: ReadonlySet<string>
}

export interface TraceEntry {
  ruleId: string
  applied: boolean
  reason: string
}

export interface Decision {
  /** The designated organisation; null with a sector when a sector-only `explain` party wins. */
  organisationId: string | null
  sector: string | null
  ruleId: string | null
  trace: TraceEntry[]
}

/** The organisations a region document names (designated, fallback): the rules may pick them. */
export function organisationsNamedBy(document: RegionDocument): string[] {
  const { designated, fallback } = document.coordination
  return [...Object.values(designated), ...(fallback === 'first-registrant' ? [] : [fallback])].filter(
    (id): id is string => Boolean(id),
  )
}

function conditionFails(rule: CoordinationRule, input: EvaluationInput): string | null {
  const { when } = rule
  const sectors = new Set(input.parties.map((p) => p.sector))
  if (when.involved && !when.involved.some((s) => sectors.has(s))) {
    return `none of ${when.involved.join(', ')} is involved`
  }
  if (when.notInvolved) {
    const present = when.notInvolved.filter((s) => sectors.has(s))
    if (present.length > 0) return `${present.join(', ')} is involved`
  }
  if (when.age) {
    if (input.ageYears === null) return 'the age is unknown'
    if (when.age.from !== undefined && input.ageYears < when.age.from)
      return `age ${input.ageYears} is below ${when.age.from}`
    if (when.age.below !== undefined && input.ageYears >= when.age.below)
      return `age ${input.ageYears} is not below ${when.age.below}`
  }
  if (when.parties) {
    const count = new Set(input.parties.map((p) => p.organisationId ?? `sector:${p.sector}`)).size
    if (when.parties.atLeast !== undefined && count < when.parties.atLeast)
      return `${count} organisations, fewer than ${when.parties.atLeast}`
    if (when.parties.below !== undefined && count >= when.parties.below)
      return `${count} organisations, not below ${when.parties.below}`
  }
  return null
}

type Pick = { organisationId: string | null; sector: string; note: string } | { skipped: string }

/** An involved party of the sector that may coordinate (earliest first), else the designated organisation. */
function candidateFor(sector: string, input: EvaluationInput): Pick {
  const party = input.parties.find(
    (p) =>
      p.sector === sector && p.mayCoordinate && !(p.organisationId && input.excluded.has(p.organisationId)),
  )
  if (party) return { organisationId: party.organisationId, sector, note: `involved ${sector} party` }
  const designated =
    input.document.coordination.designated[sector as keyof RegionDocument['coordination']['designated']]
  if (!designated) return { skipped: `no ${sector} party may coordinate and none is designated` }
  const org = input.organisations.get(designated)
  if (!org) return { skipped: `designated ${sector} organisation ${designated} does not exist` }
  if (!org.active) return { skipped: `designated ${sector} organisation ${designated} is deactivated` }
  if (input.excluded.has(org.id))
    return { skipped: `designated ${sector} organisation ${designated} declined` }
  return { organisationId: org.id, sector, note: `designated ${sector} organisation` }
}

/**
 * The covenant rules as the region's document states them (docs/architecture.md): the first rule whose
 * conditions hold and that yields an organisation decides; then the fallback; else nobody (unassigned).
 * Every rule tried is in the trace, so each decision can be explained to the professionals.
 */
export function evaluateCoordination(input: EvaluationInput): Decision {
  const trace: TraceEntry[] = []
  for (const rule of input.document.coordination.rules) {
    const failed = conditionFails(rule, input)
    if (failed) {
      trace.push({ ruleId: rule.id, applied: false, reason: failed })
      continue
    }
    const skipped: string[] = []
    for (const sector of rule.coordinator) {
      const pick = candidateFor(sector, input)
      if ('skipped' in pick) {
        skipped.push(pick.skipped)
        continue
      }
      trace.push({
        ruleId: rule.id,
        applied: true,
        reason: `${pick.note}${pick.organisationId ? ` ${pick.organisationId}` : ''}`,
      })
      return { organisationId: pick.organisationId, sector: pick.sector, ruleId: rule.id, trace }
    }
    trace.push({
      ruleId: rule.id,
      applied: false,
      reason: `conditions hold but nobody is available: ${skipped.join('; ')}`,
    })
  }

  const fallback = input.document.coordination.fallback
  if (fallback === 'first-registrant') {
    const first = input.parties.find(
      (p) => p.mayCoordinate && !(p.organisationId && input.excluded.has(p.organisationId)),
    )
    if (first) {
      trace.push({
        ruleId: 'fallback',
        applied: true,
        reason: `first registrant that may coordinate${first.organisationId ? ` ${first.organisationId}` : ''}`,
      })
      return { organisationId: first.organisationId, sector: first.sector, ruleId: 'fallback', trace }
    }
    trace.push({ ruleId: 'fallback', applied: false, reason: 'no party may coordinate' })
  } else {
    const org = input.organisations.get(fallback)
    if (org?.active && !input.excluded.has(org.id)) {
      trace.push({ ruleId: 'fallback', applied: true, reason: `fallback organisation ${org.id}` })
      return { organisationId: org.id, sector: org.sector, ruleId: 'fallback', trace }
    }
    trace.push({
      ruleId: 'fallback',
      applied: false,
      reason: !org
        ? `fallback organisation ${fallback} does not exist`
        : !org.active
          ? `fallback organisation ${fallback} is deactivated`
          : `fallback organisation ${fallback} declined`,
    })
  }
  return { organisationId: null, sector: null, ruleId: null, trace }
}
