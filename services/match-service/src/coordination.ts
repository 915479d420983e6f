import { randomUUID } from 'node:crypto'
import {
  amsterdamDate,
  type EventOrganisation,
  type NotificationEvent,
  ProblemError,
  ruleViolation,
} from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import { addHistory, lockCoordination, updateCoordination } from './db/coordination.js'
import { getMatch } from './db/matches.js'
import { getRegion, type StoredRegion } from './db/regions.js'
import type { Coordination, Match, MatchDatabase } from './db/schema.js'
import { ageOn } from './domain/age.js'
import { type Decision, evaluateCoordination, type KnownOrganisation } from './domain/coordination-rules.js'
import { deadlineAfter } from './domain/working-days.js'

export type CoordinationEventType = Extract<NotificationEvent['type'], `coordination.${string}`>

export interface CoordinationChange {
  type: CoordinationEventType
  matchId: string
  /** Organisations to tell beside the parties: the designated one, a transfer's receiver, a step's. */
  tell: string[]
  reason?: string | null
}

/** The active parties of a match as rule candidates, earliest registration first. */
async function candidates(trx: Transaction<MatchDatabase>, matchId: string) {
  return trx
    .selectFrom('match.matchParties as p')
    .innerJoin('match.registrations as r', 'r.id', 'p.registrationId')
    .innerJoin('match.organisations as o', 'o.id', 'p.organisationId')
    .select(['o.id as organisationId', 'o.sector', 'o.mayCoordinate', 'o.active'])
    .where('p.matchId', '=', matchId)
    .where('p.leftAt', 'is', null)
    .orderBy('r.createdAt')
    .orderBy('r.id')
    .execute()
}

export async function knownOrganisations(
  trx: Transaction<MatchDatabase>,
  region: StoredRegion,
): Promise<Map<string, KnownOrganisation>> {
  const { designated, fallback } = region.document.coordination
  const ids = [...Object.values(designated), ...(fallback === 'first-registrant' ? [] : [fallback])].filter(
    (id): id is string => Boolean(id),
  )
  if (ids.length === 0) return new Map()
  const rows = await trx
    .selectFrom('match.organisations')
    .select(['id', 'sector', 'mayCoordinate', 'active'])
    .where('id', 'in', ids)
    .execute()
  return new Map(rows.map((o) => [o.id, o]))
}

async function decide(
  trx: Transaction<MatchDatabase>,
  match: Match,
  now: Date,
  excluded: ReadonlySet<string>,
): Promise<{ decision: Decision; region: StoredRegion } | undefined> {
  if (!match.regionCode) return undefined
  const region = await getRegion(trx, match.regionCode)
  if (!region) return undefined
  const subject = await trx
    .selectFrom('match.subjects')
    .select('birthDate')
    .where('subjectKey', '=', match.subjectKey)
    .executeTakeFirstOrThrow()
  const parties = (await candidates(trx, match.id)).filter((p) => p.active)
  const decision = evaluateCoordination({
    document: region.document,
    ageYears: ageOn(subject.birthDate, amsterdamDate(now)),
    parties,
    organisations: await knownOrganisations(trx, region),
    excluded,
  })
  return { decision, region }
}

/** Proposes `organisationId` (or leaves it unassigned) as of now; the ladder counts from here. */
async function designate(
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
  if (current) {
    await updateCoordination(trx, match.id, values, now)
  } else {
    await trx
      .insertInto('match.coordinations')
      .values({ ...values, matchId: match.id, subjectKey: match.subjectKey, declinedBy: [] })
      .execute()
  }
  await addHistory(trx, {
    matchId: match.id,
    subjectKey: match.subjectKey,
    at: now,
    event: values.status,
    organisationId: decision.organisationId,
    ruleId: decision.ruleId,
  })
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
): Promise<CoordinationChange[]> {
  const match = await getMatch(trx, matchId)
  if (!match) return []
  const current = await lockCoordination(trx, matchId)
  if (match.status === 'closed') return endCoordination(trx, match, current, now)
  if (current?.status === 'ended') return []
  const evaluated = await decide(trx, match, now, new Set(current?.declinedBy ?? []))
  if (!evaluated) return []
  const { decision, region } = evaluated
  if (!current) return designate(trx, match, current, decision, region, now)
  if (current.status === 'accepted') {
    const target = decision.organisationId
    if (!target || target === current.organisationId || target === current.pendingTransferTo) return []
    await updateCoordination(trx, matchId, { pendingTransferTo: target, pendingTransferAt: now }, now)
    await addHistory(trx, {
      matchId,
      subjectKey: match.subjectKey,
      at: now,
      event: 'transfer_requested',
      organisationId: target,
      ruleId: decision.ruleId,
    })
    return [
      { type: 'coordination.transfer_requested', matchId, tell: [target, current.organisationId as string] },
    ]
  }
  if (decision.organisationId === current.organisationId) return []
  return designate(trx, match, current, decision, region, now)
}

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

/** Raises the ladder to `level`, giving every step up to it read access to the match. */
export async function reachEscalation(
  trx: Transaction<MatchDatabase>,
  coordination: Coordination,
  level: number,
  now: Date,
  reason: string,
): Promise<CoordinationChange[]> {
  const region = coordination.regionCode
    ? await getRegion(trx, coordination.regionCode, coordination.regionVersion ?? undefined)
    : undefined
  const steps = region?.document.coordination.escalation ?? []
  const reached = steps.filter((s) => s.level > coordination.escalationLevel && s.level <= level)
  if (reached.length === 0) return []
  const existing = new Set(
    (
      await trx
        .selectFrom('match.organisations')
        .select('id')
        .where(
          'id',
          'in',
          reached.flatMap((s) => s.notify),
        )
        .execute()
    ).map((o) => o.id),
  )
  const changes: CoordinationChange[] = []
  for (const step of reached) {
    const tell = step.notify.filter((id) => existing.has(id))
    if (tell.length > 0) {
      await trx
        .insertInto('match.escalationAccess')
        .values(
          tell.map((organisationId) => ({
            matchId: coordination.matchId,
            organisationId,
            subjectKey: coordination.subjectKey,
            level: step.level,
            reachedAt: now,
          })),
        )
        .onConflict((oc) => oc.columns(['matchId', 'organisationId']).doNothing())
        .execute()
    }
    await addHistory(trx, {
      matchId: coordination.matchId,
      subjectKey: coordination.subjectKey,
      at: now,
      event: 'escalated',
      level: step.level,
      reason,
    })
    changes.push({ type: 'coordination.escalated', matchId: coordination.matchId, tell, reason })
  }
  const top = reached[reached.length - 1]!.level
  await updateCoordination(trx, coordination.matchId, { escalationLevel: top }, now)
  coordination.escalationLevel = top
  return changes
}

/** The ladder steps whose deadline has passed, counted from the designation; acceptance stops it. */
export async function dueEscalation(
  trx: Transaction<MatchDatabase>,
  coordination: Coordination,
  now: Date,
): Promise<number> {
  if (!coordination.regionCode || !['proposed', 'unassigned'].includes(coordination.status))
    return coordination.escalationLevel
  const region = await getRegion(trx, coordination.regionCode, coordination.regionVersion ?? undefined)
  if (!region) return coordination.escalationLevel
  let level = coordination.escalationLevel
  for (const step of region.document.coordination.escalation) {
    if (deadlineAfter(coordination.proposedAt, step.after, region.document.holidays) <= now)
      level = Math.max(level, step.level)
  }
  return level
}

/** The proposed organisation (or a transfer's receiver) accepts. */
export async function accept(
  trx: Transaction<MatchDatabase>,
  matchId: string,
  org: string,
  now: Date,
): Promise<CoordinationChange[]> {
  const c = await lockCoordination(trx, matchId)
  if (c?.status === 'accepted' && c.pendingTransferTo === org) {
    const from = c.organisationId
    await updateCoordination(
      trx,
      matchId,
      { organisationId: org, acceptedAt: now, pendingTransferTo: null, pendingTransferAt: null },
      now,
    )
    await addHistory(trx, {
      matchId,
      subjectKey: c.subjectKey,
      at: now,
      event: 'transferred',
      organisationId: org,
      reason: from ? `from ${from}` : null,
    })
    return [{ type: 'coordination.transferred', matchId, tell: [org, ...(from ? [from] : [])] }]
  }
  if (c?.status !== 'proposed' || c.organisationId !== org) {
    throw new ProblemError('conflict', 'Coordination of this match is not proposed to your organisation')
  }
  await updateCoordination(trx, matchId, { status: 'accepted', acceptedAt: now }, now)
  await addHistory(trx, {
    matchId,
    subjectKey: c.subjectKey,
    at: now,
    event: 'accepted',
    organisationId: org,
  })
  return [{ type: 'coordination.accepted', matchId, tell: [org] }]
}

/** The proposed organisation declines: the next candidate is proposed, every decliner excluded. */
export async function decline(
  trx: Transaction<MatchDatabase>,
  matchId: string,
  org: string,
  reason: string,
  now: Date,
): Promise<CoordinationChange[]> {
  const c = await lockCoordination(trx, matchId)
  if (c?.status === 'accepted' && c.pendingTransferTo === org) {
    await updateCoordination(trx, matchId, { pendingTransferTo: null, pendingTransferAt: null }, now)
    await addHistory(trx, {
      matchId,
      subjectKey: c.subjectKey,
      at: now,
      event: 'transfer_declined',
      organisationId: org,
      reason,
    })
    return [{ type: 'coordination.declined', matchId, tell: [org, c.organisationId as string], reason }]
  }
  if (c?.status !== 'proposed' || c.organisationId !== org) {
    throw new ProblemError('conflict', 'Coordination of this match is not proposed to your organisation')
  }
  const declinedBy = [...c.declinedBy, org]
  await updateCoordination(trx, matchId, { declinedBy }, now)
  await addHistory(trx, {
    matchId,
    subjectKey: c.subjectKey,
    at: now,
    event: 'declined',
    organisationId: org,
    reason,
  })
  const match = (await getMatch(trx, matchId)) as Match
  const evaluated = await decide(trx, match, now, new Set(declinedBy))
  const changes: CoordinationChange[] = [{ type: 'coordination.declined', matchId, tell: [org], reason }]
  if (!evaluated) return changes
  return [
    ...changes,
    ...(await designate(trx, match, { ...c, declinedBy }, evaluated.decision, evaluated.region, now)),
  ]
}

/** The accepted coordinator hands over: the receiver keeps nothing until it accepts. */
export async function requestTransfer(
  trx: Transaction<MatchDatabase>,
  matchId: string,
  org: string,
  to: string,
  now: Date,
): Promise<CoordinationChange[]> {
  const c = await lockCoordination(trx, matchId)
  if (c?.status !== 'accepted' || c.organisationId !== org) {
    throw new ProblemError('conflict', 'Only the accepted coordinator can hand coordination over')
  }
  if (to === org) throw ruleViolation('/organisation', 'your organisation already coordinates this match')
  const receiver = await trx
    .selectFrom('match.organisations')
    .selectAll()
    .where('id', '=', to)
    .executeTakeFirst()
  if (!receiver?.active)
    throw ruleViolation('/organisation', `organisation ${to} does not exist or is deactivated`)
  if (!receiver.mayCoordinate) throw ruleViolation('/organisation', `organisation ${to} may not coordinate`)
  await updateCoordination(trx, matchId, { pendingTransferTo: to, pendingTransferAt: now }, now)
  await addHistory(trx, {
    matchId,
    subjectKey: c.subjectKey,
    at: now,
    event: 'transfer_requested',
    organisationId: to,
    reason: `by ${org}`,
  })
  return [{ type: 'coordination.transfer_requested', matchId, tell: [to, org] }]
}

/** Any party rises the ladder one level now. */
export async function escalateByHand(
  trx: Transaction<MatchDatabase>,
  matchId: string,
  reason: string,
  now: Date,
): Promise<CoordinationChange[]> {
  const c = await lockCoordination(trx, matchId)
  if (!c || c.status === 'ended')
    throw new ProblemError('conflict', 'This match has no coordination to escalate')
  const changes = await reachEscalation(trx, c, c.escalationLevel + 1, now, reason)
  if (changes.length === 0) throw new ProblemError('conflict', 'The region has no further escalation step')
  return changes
}

/** Turns coordination changes into events: the parties, and the organisations each change concerns. */
export async function coordinationEvents(
  trx: Transaction<MatchDatabase>,
  changes: CoordinationChange[],
  now: Date,
  toEventParties: (matchId: string) => Promise<NotificationEvent['parties']>,
): Promise<NotificationEvent[]> {
  const events: NotificationEvent[] = []
  for (const change of changes) {
    const c = await lockCoordination(trx, change.matchId)
    const ids = [
      ...new Set([
        ...change.tell,
        ...(c?.organisationId ? [c.organisationId] : []),
        ...(c?.pendingTransferTo ? [c.pendingTransferTo] : []),
      ]),
    ]
    const orgs: EventOrganisation[] = ids.length
      ? await trx
          .selectFrom('match.organisations')
          .select(['id', 'name', 'sector', 'email'])
          .where('id', 'in', ids)
          .execute()
      : []
    const byId = new Map(orgs.map((o) => [o.id, o]))
    events.push({
      eventId: randomUUID(),
      type: change.type,
      occurredAt: now.toISOString(),
      matchId: change.matchId,
      registrationId: null,
      parties: await toEventParties(change.matchId),
      organisations: change.tell.map((id) => byId.get(id)).filter((o): o is EventOrganisation => Boolean(o)),
      coordination: c
        ? {
            organisation: c.organisationId ? (byId.get(c.organisationId) ?? null) : null,
            status: c.status,
            dueAt: c.dueAt?.toISOString() ?? null,
            escalationLevel: c.escalationLevel,
            pendingTransfer:
              c.pendingTransferTo && byId.get(c.pendingTransferTo)
                ? {
                    organisation: byId.get(c.pendingTransferTo) as EventOrganisation,
                    proposedAt: (c.pendingTransferAt as Date).toISOString(),
                  }
                : null,
            reason: change.reason ?? null,
          }
        : null,
      endsAt: null,
    })
  }
  return events
}
