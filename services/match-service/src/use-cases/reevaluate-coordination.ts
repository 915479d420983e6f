import { amsterdamDate, pipelined } from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import { addHistory, insertCoordination, lockCoordination, updateCoordination } from '../db/coordination.js'
import { activePartyCandidates } from '../db/match-parties.js'
import { getMatchWithBirthDate } from '../db/matches.js'
import { ruleOrganisations } from '../db/organisations.js'
import { getRegion, type StoredRegion } from '../db/regions.js'
import type { Coordination, Match, MatchDatabase } from '../db/schema.js'
import { getSubject } from '../db/subjects.js'
import { ageOn } from '../domain/age.js'
import type { CoordinationChange } from '../domain/coordination-change.js'
import {
  type Decision,
  evaluateCoordination,
  type KnownOrganisation,
  organisationsNamedBy,
} from '../domain/coordination-rules.js'
import { reevaluationOutcome } from '../domain/coordination-state.js'
import type { MatchChange } from '../domain/matching.js'
import { deadlineAfter } from '../domain/working-days.js'
import { reachEscalation } from './reach-escalation.js'

/** The organisations the region's document names, as the rules weigh them. */
export async function knownOrganisations(
  trx: Transaction<MatchDatabase>,
  region: StoredRegion,
): Promise<Map<string, KnownOrganisation>> {
  const rows = await ruleOrganisations(trx, organisationsNamedBy(region.document))
  return new Map(rows.map((o) => [o.id, o]))
}

/**
 * What the region's rules decide for the match now, never proposing an excluded organisation. `birthDate`:
 * the child's, when the caller read it with the match.
 */
export async function decide(
  trx: Transaction<MatchDatabase>,
  match: Match,
  now: Date,
  excluded: ReadonlySet<string>,
  birthDate?: string,
): Promise<{ decision: Decision; region: StoredRegion } | undefined> {
  if (!match.regionCode) return undefined
  // Independent reads, written together: one round trip for all three.
  const regionCode = match.regionCode
  const [region, born, candidates] = await pipelined(trx, (trx) =>
    Promise.all([
      getRegion(trx, regionCode),
      birthDate ?? getSubject(trx, match.subjectKey).then((subject) => subject?.birthDate),
      activePartyCandidates(trx, match.id),
    ]),
  )
  if (!region) return undefined
  if (!born) throw new Error(`match ${match.id} has no subject`)
  const parties = candidates.filter((p) => p.active)
  const decision = evaluateCoordination({
    document: region.document,
    ageYears: ageOn(born, amsterdamDate(now)),
    parties,
    organisations: await knownOrganisations(trx, region),
    excluded,
  })
  return { decision, region }
}

/** Proposes `organisationId` (or leaves it unassigned) as of now; the ladder counts from here. */
export async function designate(
  trx: Transaction<MatchDatabase>,
  match: Match,
  current: Coordination | undefined,
  decision: Decision,
  region: StoredRegion,
  now: Date,
): Promise<CoordinationChange[]> {
  const proposed = decision.organisationId !== null
  const values = {
    organisationId: decision.organisationId,
    status: proposed ? ('proposed' as const) : ('unassigned' as const),
    ruleId: decision.ruleId,
    regionCode: region.code,
    regionVersion: region.version,
    proposedAt: now,
    dueAt: proposed
      ? deadlineAfter(now, region.document.coordination.acceptWithin, region.document.holidays)
      : null,
    acceptedAt: null,
    escalationLevel: current?.escalationLevel ?? 0,
    pendingTransferTo: null,
    pendingTransferAt: null,
    updatedAt: now,
  }
  // The coordination and its history line need nothing of each other: written together.
  await pipelined(trx, (trx) =>
    Promise.all([
      current
        ? updateCoordination(trx, match.id, values, now)
        : insertCoordination(trx, {
            ...values,
            matchId: match.id,
            subjectKey: match.subjectKey,
            declinedBy: [],
          }),
      addHistory(trx, {
        matchId: match.id,
        subjectKey: match.subjectKey,
        at: now,
        event: values.status,
        organisationId: decision.organisationId,
        ruleId: decision.ruleId,
      }),
    ]),
  )
  if (proposed)
    return [{ type: 'coordination.proposed', matchId: match.id, tell: [decision.organisationId as string] }]
  // Nobody to propose: the escalation ladder starts at once.
  const changes: CoordinationChange[] = [{ type: 'coordination.unassigned', matchId: match.id, tell: [] }]
  const coordination = (await lockCoordination(trx, match.id)) as Coordination
  if (coordination.escalationLevel < 1)
    changes.push(...(await reachEscalation(trx, coordination, 1, now, 'unassigned')))
  return changes
}

/**
 * (Re-)evaluates a match's coordination after a change (party joined or left, birthday, decline):
 * designates when there is none, replaces a proposal, and turns a different outcome for an accepted
 * coordinator into a pending transfer the receiver must accept — never a silent switch.
 */
export async function reevaluate(
  trx: Transaction<MatchDatabase>,
  matchId: string,
  now: Date,
  /** The match was made in this transaction: it has no coordination yet, nothing to lock. */
  made = false,
): Promise<CoordinationChange[]> {
  const [found, current] = await pipelined(trx, (trx) =>
    Promise.all([getMatchWithBirthDate(trx, matchId), made ? undefined : lockCoordination(trx, matchId)]),
  )
  if (!found) return []
  const { birthDate, ...match } = found
  if (match.status === 'closed') return endCoordination(trx, match, current, now)
  if (current?.status === 'ended') return []
  const evaluated = await decide(trx, match, now, new Set(current?.declinedBy ?? []), birthDate ?? undefined)
  if (!evaluated) return []
  const { decision, region } = evaluated
  const target = decision.organisationId
  switch (reevaluationOutcome(current, target)) {
    case 'unchanged':
      return []
    case 'designate':
      return designate(trx, match, current, decision, region, now)
    case 'request_transfer': {
      const coordinator = (current as Coordination).organisationId as string
      await updateCoordination(trx, matchId, { pendingTransferTo: target, pendingTransferAt: now }, now)
      await addHistory(trx, {
        matchId,
        subjectKey: match.subjectKey,
        at: now,
        event: 'transfer_requested',
        organisationId: target,
        ruleId: decision.ruleId,
      })
      return [{ type: 'coordination.transfer_requested', matchId, tell: [target as string, coordinator] }]
    }
  }
}

/** A closed match's coordination ends with it. */
async function endCoordination(
  trx: Transaction<MatchDatabase>,
  match: Match,
  current: Coordination | undefined,
  now: Date,
): Promise<CoordinationChange[]> {
  if (!current || current.status === 'ended') return []
  await updateCoordination(
    trx,
    match.id,
    { status: 'ended', pendingTransferTo: null, pendingTransferAt: null },
    now,
  )
  await addHistory(trx, {
    matchId: match.id,
    subjectKey: match.subjectKey,
    at: now,
    event: 'ended',
    organisationId: current.organisationId,
  })
  return []
}

/** A match that changed gets its coordination (re-)evaluated in the same transaction. */
export async function reevaluateChangedMatches(
  trx: Transaction<MatchDatabase>,
  changes: MatchChange[],
  now: Date,
): Promise<CoordinationChange[]> {
  const result: CoordinationChange[] = []
  for (const matchId of new Set(changes.map((c) => c.matchId))) {
    const made = changes.some((c) => c.matchId === matchId && c.type === 'match.created')
    result.push(...(await reevaluate(trx, matchId, now, made)))
  }
  return result
}
