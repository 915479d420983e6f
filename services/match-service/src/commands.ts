import { randomUUID } from 'node:crypto'
import type { PgBoss } from '@verwijsindex/shared'
import {
  type AuditAction,
  amsterdamDate,
  auditDenied,
  auditRequest,
  type Clock,
  householdKey,
  ProblemError,
  ruleViolation,
  subjectKey,
} from '@verwijsindex/shared'
import type { FastifyRequest } from 'fastify'
import type { Kysely, Transaction } from 'kysely'
import { type CoordinationChange, coordinationEvents, reevaluate } from './coordination.js'
import { joinMatch, leaveMatch, type MatchChange, openMatchOf } from './db/matches.js'
import { getRegion } from './db/regions.js'
import {
  activeRegistrationsOfSubject,
  getRegistration,
  historyAvailable,
  insertRegistration,
  lockExistingSubject,
  lockSubject,
} from './db/registrations.js'
import type { MatchDatabase, Organisation, Registration } from './db/schema.js'
import { ageOn, LEGAL_MAX_DURATION_DAYS, MAX_AGE } from './domain/age.js'
import {
  activeEventParties,
  householdEvent,
  matchChangeEvents,
  publish,
  registrationEvent,
} from './events.js'
import { coordinationView, type RegistrationView, toRegistrationView } from './views.js'

const DAY_MS = 24 * 60 * 60 * 1000

export interface MatchContext {
  db: Kysely<MatchDatabase>
  boss: PgBoss
  clock: Clock
  subjectKeySecret: string
}

export interface Contact {
  name: string
  email: string
  phone: string
}

export interface RegistrationInput {
  bsn: string
  birthDate: string
  kind: 'concern' | 'involvement'
  durationDays?: number | undefined
  externalReference?: string | undefined
  municipality?: string | undefined
  household?: { postcode: string; houseNumber: string } | undefined
  contact: Contact
}

/** The region that sets a registration's duration: by its municipality, else the organisation's own. */
async function regionOf(
  db: Kysely<MatchDatabase>,
  municipality: string | null | undefined,
  organisation: Organisation,
) {
  let code = organisation.regionCode
  if (municipality) {
    const row = await db
      .selectFrom('match.regionMunicipalities')
      .select('code')
      .where('municipality', '=', municipality)
      .executeTakeFirst()
    if (row) code = row.code
  }
  const region = await getRegion(db, code)
  if (!region) throw new Error(`region ${code} of organisation ${organisation.id} has no document`)
  return region
}

function maxDurationDays(maxOfRegion: number): number {
  return Math.min(maxOfRegion, LEGAL_MAX_DURATION_DAYS)
}

const MATCH_AUDIT_ACTION: Record<MatchChange['type'], AuditAction> = {
  'match.created': 'match.create',
  'match.party_joined': 'match.join',
  'match.party_left': 'match.leave',
  'match.closed': 'match.close',
}

async function auditMatchChanges(
  trx: Transaction<MatchDatabase>,
  request: FastifyRequest,
  changes: MatchChange[],
  key: string,
): Promise<void> {
  for (const change of changes) {
    await auditRequest(trx, request, MATCH_AUDIT_ACTION[change.type], {
      subjectKey: key,
      resource: { type: 'match', id: change.matchId },
    })
  }
}

/** A match that changed gets its coordination (re-)evaluated in the same transaction. */
async function coordinate(
  trx: Transaction<MatchDatabase>,
  changes: MatchChange[],
  now: Date,
): Promise<CoordinationChange[]> {
  const matchIds = [...new Set(changes.map((c) => c.matchId))]
  const result: CoordinationChange[] = []
  for (const matchId of matchIds) result.push(...(await reevaluate(trx, matchId, now)))
  return result
}

export async function auditCoordinationChanges(
  trx: Transaction<MatchDatabase>,
  request: FastifyRequest,
  changes: CoordinationChange[],
  key: string,
): Promise<void> {
  for (const change of changes) {
    await auditRequest(trx, request, change.type, {
      subjectKey: key,
      resource: { type: 'match', id: change.matchId },
    })
  }
}

export async function viewOf(
  db: Kysely<MatchDatabase>,
  registration: Registration,
  organisation: Organisation,
  /** The child's open match id when the caller already knows it (null: none). */
  knownMatchId?: string | null,
): Promise<RegistrationView> {
  const matchId =
    knownMatchId !== undefined
      ? knownMatchId
      : registration.status === 'active'
        ? ((await openMatchOf(db, registration.subjectKey))?.id ?? null)
        : null
  const coordination = matchId ? await coordinationView(db, matchId) : null
  return toRegistrationView(
    registration,
    organisation,
    matchId,
    await historyAvailable(db, registration.subjectKey, registration.organisationId),
    coordination && {
      organisation: coordination.organisation,
      status: coordination.status,
      dueAt: coordination.dueAt,
    },
  )
}

/**
 * Registers that an organisation is involved with a child (melding). Idempotent per organisation and
 * child: while one is active, registering again returns it unchanged.
 */
export async function register(
  ctx: MatchContext,
  request: FastifyRequest,
  organisation: Organisation,
  input: RegistrationInput,
): Promise<{ view: RegistrationView; created: boolean }> {
  const now = ctx.clock.now()
  const today = amsterdamDate(now)
  if (input.birthDate > today) throw ruleViolation('/birthDate', 'the birth date lies in the future')
  if (ageOn(input.birthDate, today) >= MAX_AGE) {
    throw ruleViolation('/birthDate', `the law allows registrations only below the age of ${MAX_AGE}`)
  }
  const region = await regionOf(ctx.db, input.municipality, organisation)
  const max = maxDurationDays(region.document.registration.maxDurationDays)
  const durationDays = input.durationDays ?? Math.min(region.document.registration.defaultDurationDays, max)
  if (durationDays > max) {
    throw ruleViolation('/durationDays', `region ${region.code} allows at most ${max} days`)
  }
  const key = subjectKey(input.bsn, ctx.subjectKeySecret)

  return ctx.db.transaction().execute(async (trx) => {
    await lockSubject(trx, key, input.birthDate, now)
    const active = await activeRegistrationsOfSubject(trx, key)
    const existing = active.find((r) => r.organisationId === organisation.id)
    if (existing) {
      await auditRequest(trx, request, 'registration.read', {
        subjectKey: key,
        resource: { type: 'registration', id: existing.id },
      })
      return { view: await viewOf(trx, existing, organisation), created: false }
    }
    const registration = await insertRegistration(trx, {
      id: randomUUID(),
      subjectKey: key,
      organisationId: organisation.id,
      kind: input.kind,
      status: 'active',
      createdAt: now,
      endsAt: new Date(now.getTime() + durationDays * DAY_MS),
      externalReference: input.externalReference ?? null,
      contactName: input.contact.name,
      contactEmail: input.contact.email,
      contactPhone: input.contact.phone,
      municipality: input.municipality ?? null,
      // Only a keyed hash of the address is kept, like the subject key.
      householdKey: input.household
        ? householdKey(input.household.postcode, input.household.houseNumber, ctx.subjectKeySecret)
        : null,
      createdBy: request.user.sub,
    })
    const changes = await joinMatch(trx, registration, now, active)
    const coordination = await coordinate(trx, changes, now)
    const household = await householdEvent(trx, registration, now)
    await publish(ctx.boss, trx, [
      ...(await matchChangeEvents(trx, changes, now)),
      ...(await coordinationEvents(trx, coordination, now, (id) => activeEventParties(trx, id))),
      ...(household ? [household] : []),
    ])
    if (household) {
      await auditRequest(trx, request, 'household.link', {
        subjectKey: key,
        resource: { type: 'registration', id: registration.id },
      })
    }
    await auditRequest(trx, request, 'registration.create', {
      subjectKey: key,
      resource: { type: 'registration', id: registration.id },
    })
    await auditMatchChanges(trx, request, changes, key)
    await auditCoordinationChanges(trx, request, coordination, key)
    // The match this registration made or joined, if any, is the child's open match.
    return { view: await viewOf(trx, registration, organisation, changes[0]?.matchId ?? null), created: true }
  })
}

/** Need to know: another organisation's registration does not exist for the caller (404, audited). */
export async function ownRegistration(
  ctx: MatchContext,
  request: FastifyRequest,
  id: string,
  organisation: Organisation,
): Promise<Registration> {
  const registration = await getRegistration(ctx.db, id)
  if (!registration || registration.organisationId !== organisation.id) {
    await auditDenied(ctx.db, request, {
      subjectKey: registration?.subjectKey ?? null,
      resource: { type: 'registration', id },
    })
    throw new ProblemError('not_found', `No registration ${id}`)
  }
  return registration
}

/** Why a registration ended: the registrant's codes, or the law's clock (expired, age limit) and erasure. */
export type EndReason =
  | 'resolved'
  | 'unjustified'
  | 'transferred'
  | 'error'
  | 'expired'
  | 'age_limit'
  | 'erased'

/**
 * Ends an active registration inside the caller's transaction (the subject locked first): it leaves its
 * match, and the parties and the registrant are told.
 */
export async function endRegistration(
  ctx: MatchContext,
  trx: Transaction<MatchDatabase>,
  registration: Registration,
  reason: EndReason,
  now: Date,
): Promise<{ ended: Registration; changes: MatchChange[]; coordination: CoordinationChange[] }> {
  await lockExistingSubject(trx, registration.subjectKey)
  const ended = await trx
    .updateTable('match.registrations')
    .set({ status: 'ended', endedAt: now, endReason: reason })
    .where('id', '=', registration.id)
    .where('status', '=', 'active')
    .returningAll()
    .executeTakeFirst()
  if (!ended) throw new ProblemError('conflict', `Registration ${registration.id} has already ended`)
  const changes = await leaveMatch(trx, ended, now)
  const coordination = await coordinate(trx, changes, now)
  await publish(ctx.boss, trx, [
    ...(await matchChangeEvents(trx, changes, now)),
    ...(await coordinationEvents(trx, coordination, now, (id) => activeEventParties(trx, id))),
    await registrationEvent(trx, ended, 'registration.ended', now),
  ])
  return { ended, changes, coordination }
}

export async function withdraw(
  ctx: MatchContext,
  request: FastifyRequest,
  organisation: Organisation,
  id: string,
  reason: Exclude<EndReason, 'expired' | 'age_limit' | 'erased'>,
): Promise<RegistrationView> {
  const registration = await ownRegistration(ctx, request, id, organisation)
  const now = ctx.clock.now()
  return ctx.db.transaction().execute(async (trx) => {
    const { ended, changes, coordination } = await endRegistration(ctx, trx, registration, reason, now)
    await auditRequest(trx, request, 'registration.withdraw', {
      subjectKey: ended.subjectKey,
      resource: { type: 'registration', id: ended.id },
    })
    await auditMatchChanges(trx, request, changes, ended.subjectKey)
    await auditCoordinationChanges(trx, request, coordination, ended.subjectKey)
    return viewOf(trx, ended, organisation)
  })
}

export async function updateRegistration(
  ctx: MatchContext,
  request: FastifyRequest,
  organisation: Organisation,
  id: string,
  changes: { contact?: Contact | undefined; durationDays?: number | undefined },
): Promise<RegistrationView> {
  const registration = await ownRegistration(ctx, request, id, organisation)
  const now = ctx.clock.now()
  if (registration.status !== 'active') throw new ProblemError('conflict', `Registration ${id} has ended`)
  let endsAt: Date | undefined
  if (changes.durationDays !== undefined) {
    const region = await regionOf(ctx.db, registration.municipality, organisation)
    const max = maxDurationDays(region.document.registration.maxDurationDays)
    if (changes.durationDays > max) {
      throw ruleViolation('/durationDays', `region ${region.code} allows at most ${max} days from creation`)
    }
    endsAt = new Date(registration.createdAt.getTime() + changes.durationDays * DAY_MS)
    if (endsAt <= now)
      throw ruleViolation('/durationDays', 'that duration has already passed; withdraw instead')
  }
  return ctx.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('match.registrations')
      .set({
        ...(endsAt ? { endsAt } : {}),
        ...(changes.contact
          ? {
              contactName: changes.contact.name,
              contactEmail: changes.contact.email,
              contactPhone: changes.contact.phone,
            }
          : {}),
      })
      .where('id', '=', id)
      .where('status', '=', 'active')
      .returningAll()
      .executeTakeFirst()
    if (!updated) throw new ProblemError('conflict', `Registration ${id} has ended`)
    await auditRequest(trx, request, 'registration.update', {
      subjectKey: updated.subjectKey,
      resource: { type: 'registration', id },
    })
    return viewOf(trx, updated, organisation)
  })
}
