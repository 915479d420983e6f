import { randomUUID } from 'node:crypto'
import {
  type EventParty,
  inTransaction,
  type NotificationEvent,
  type PgBoss,
  QUEUES,
} from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import { householdLinks } from './db/households.js'
import { type MatchChange, type PartyRow, partiesOf } from './db/matches.js'
import type { MatchDatabase, Registration } from './db/schema.js'

function toEventParty(p: PartyRow): EventParty {
  return {
    registrationId: p.registrationId,
    organisation: {
      id: p.organisationId,
      name: p.organisationName,
      sector: p.organisationSector,
      email: p.organisationEmail,
    },
    contact: { name: p.contactName, email: p.contactEmail, phone: p.contactPhone },
    kind: p.kind,
    externalReference: p.externalReference,
    since: p.joinedAt.toISOString(),
    leftAt: p.leftAt?.toISOString() ?? null,
  }
}

function baseEvent(
  type: NotificationEvent['type'],
  now: Date,
): Omit<NotificationEvent, 'parties' | 'matchId'> {
  return {
    eventId: randomUUID(),
    type,
    occurredAt: now.toISOString(),
    registrationId: null,
    organisations: [],
    coordination: null,
    endsAt: null,
  }
}

/** The events for match changes: every party still in the match, and those that left with this change. */
export async function matchChangeEvents(
  trx: Transaction<MatchDatabase>,
  changes: MatchChange[],
  now: Date,
): Promise<NotificationEvent[]> {
  const events: NotificationEvent[] = []
  for (const change of changes) {
    const parties = (await partiesOf(trx, change.matchId)).filter(
      (p) => p.leftAt === null || p.leftAt.getTime() === now.getTime(),
    )
    events.push({
      ...baseEvent(change.type, now),
      matchId: change.matchId,
      registrationId: change.registrationId,
      parties: parties.map(toEventParty),
    })
  }
  return events
}

/** The parties still in a match, as events name them. */
export async function activeEventParties(
  trx: Transaction<MatchDatabase>,
  matchId: string,
): Promise<EventParty[]> {
  return (await partiesOf(trx, matchId)).filter((p) => p.leftAt === null).map(toEventParty)
}

/** Tells the registrant about its own registration: ending soon, or ended (withdrawn, expired, erased). */
export async function registrationEvent(
  trx: Transaction<MatchDatabase>,
  registration: Registration,
  type: 'registration.ending_soon' | 'registration.ended',
  now: Date,
): Promise<NotificationEvent> {
  const org = await trx
    .selectFrom('match.organisations')
    .select(['id', 'name', 'sector', 'email'])
    .where('id', '=', registration.organisationId)
    .executeTakeFirstOrThrow()
  return {
    ...baseEvent(type, now),
    matchId: null,
    registrationId: registration.id,
    endsAt: (registration.endedAt ?? registration.endsAt).toISOString(),
    parties: [
      {
        registrationId: registration.id,
        organisation: org,
        contact: {
          name: registration.contactName,
          email: registration.contactEmail,
          phone: registration.contactPhone,
        },
        kind: registration.kind,
        externalReference: registration.externalReference,
        since: registration.createdAt.toISOString(),
        leftAt: registration.endedAt?.toISOString() ?? null,
      },
    ],
  }
}

/**
 * A new registration in a household where other organisations are involved with other children: every
 * one of them, and the registrant, hears of the others ("één gezin, één plan").
 */
export async function householdEvent(
  trx: Transaction<MatchDatabase>,
  registration: Registration,
  now: Date,
): Promise<NotificationEvent | undefined> {
  if (!registration.householdKey) return undefined
  const links = await householdLinks(
    trx,
    registration.householdKey,
    registration.subjectKey,
    registration.organisationId,
  )
  if (links.length === 0) return undefined
  const own = await registrationEvent(trx, registration, 'registration.ended', now)
  const toParty = (l: (typeof links)[number]) => toEventParty({ ...l, joinedAt: l.createdAt, leftAt: null })
  const open = await trx
    .selectFrom('match.matches')
    .select('id')
    .where('subjectKey', '=', registration.subjectKey)
    .where('status', '=', 'open')
    .executeTakeFirst()
  return {
    ...baseEvent('household.linked', now),
    matchId: open?.id ?? null,
    registrationId: registration.id,
    parties: [...own.parties, ...links.map(toParty)],
  }
}

/**
 * Enqueues events on the caller's transaction: an event exists exactly when the change that caused it
 * commits, so a crash can lose neither the change's event nor invent one for a rolled-back change.
 */
export async function publish(
  boss: PgBoss,
  trx: Transaction<MatchDatabase>,
  events: NotificationEvent[],
): Promise<void> {
  for (const event of events) {
    await boss.send(QUEUES.notifications, event, {
      db: inTransaction(trx),
      retryLimit: 10,
      retryBackoff: true,
    })
  }
}
