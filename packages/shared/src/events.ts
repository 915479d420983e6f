import { z } from 'zod'

/**
 * The queues services meet through, and the events on them. Payloads carry ids, organisations and
 * contacts: never a BSN, subject key, birth date or household data (docs/architecture.md §3.1). match-service
 * enqueues them in the same transaction as the change, all of one transaction in one job (a batch);
 * notify-service turns each into one notification per (recipient, channel), and the e-mail notifications of
 * one batch to one address into one message.
 */
export const QUEUES = {
  /** match-service → notify-service: match, coordination, household and registration events. */
  notifications: 'notifications',
  /**
   * notify-service → match-service: a notification about a match reached an organisation, so the match can
   * show when each party was first told (`notifiedAt`) without either service reading the other's tables.
   */
  deliveries: 'notification-delivered',
  /** notify-service's daily purge of notification records past NOTIFY_RETENTION_DAYS (a pg-boss schedule). */
  notifyPurge: 'notify-purge',
  /** audit-service: appends committed audit events to the hash chain (every minute, one run at a time). */
  auditSeal: 'audit-seal',
  /** audit-service: the daily retention purge of audit events older than AUDIT_RETENTION_DAYS. */
  auditPurge: 'audit-purge',
} as const

/**
 * Each queue's policy and job expiry (see QueueSettings): an ingest batch takes seconds, a sealing run at
 * most a few minutes over a large backlog, a nightly purge longer. `npm run migrate` applies them.
 */
export const QUEUE_SETTINGS = {
  [QUEUES.notifications]: { policy: 'standard', expireInSeconds: 120 },
  [QUEUES.deliveries]: { policy: 'standard', expireInSeconds: 120 },
  [QUEUES.notifyPurge]: { policy: 'standard', expireInSeconds: 1800 },
  [QUEUES.auditSeal]: { policy: 'standard', expireInSeconds: 300 },
  [QUEUES.auditPurge]: { policy: 'standard', expireInSeconds: 3600 },
} as const satisfies Record<string, { policy: 'standard'; expireInSeconds: number }>

/**
 * match-service's scheduled jobs (src/jobs.ts): `short` queues (at most one waiting run), each expiry
 * longer than a run takes. Created by `npm run migrate` like the others: creating a queue adds a
 * partition to pg-boss's job table, which the services' least-privilege roles may not do.
 */
export const SCHEDULED_QUEUE_SETTINGS = {
  'coordination-deadlines': { policy: 'short', expireInSeconds: 120 },
  'coordination-birthdays': { policy: 'short', expireInSeconds: 1800 },
  'registration-expiry': { policy: 'short', expireInSeconds: 600 },
  'subject-age-limit': { policy: 'short', expireInSeconds: 1800 },
  'archive-purge': { policy: 'short', expireInSeconds: 1800 },
  'registration-ending-reminders': { policy: 'short', expireInSeconds: 1800 },
  'match-follow-up': { policy: 'short', expireInSeconds: 600 },
  'statistics-month': { policy: 'short', expireInSeconds: 3600 },
  'household-links-due': { policy: 'short', expireInSeconds: 600 },
} as const satisfies Record<string, { policy: 'short'; expireInSeconds: number }>

export const EVENT_TYPES = [
  'match.created',
  'match.party_joined',
  'match.party_left',
  'match.closed',
  'household.linked',
  'registration.ending_soon',
  'registration.ended',
  'coordination.proposed',
  'coordination.accepted',
  'coordination.declined',
  'coordination.unassigned',
  'coordination.transfer_requested',
  'coordination.transferred',
  'coordination.escalated',
  'match.follow_up_due',
] as const
export type EventType = (typeof EVENT_TYPES)[number]

/**
 * The closed list of sectors an organisation belongs to (region rulesets are checked against it). Events
 * carry the sector as a plain string; notify-service names each of these in its mail copy.
 */
export const SECTORS = [
  'jgz-0-4',
  'jgz-4-19',
  'school-po',
  'school-vo',
  'school-mbo',
  'school-social-work',
  'amw',
  'cjg',
  'bjz',
  'veilig-thuis',
  'police',
  'justice',
  'ggz',
  'ggz-adult',
  'youth-care',
  'municipality',
  'gp',
  'childcare',
  'other',
] as const
export type Sector = (typeof SECTORS)[number]

export function isSector(value: string): value is Sector {
  return (SECTORS as readonly string[]).includes(value)
}

/** Why a designated organisation declined coordination: the code `coordination.declined` carries. */
export const DECLINE_REASONS = ['not_involved', 'no_capacity', 'other_is_better_placed', 'other'] as const
export type DeclineReason = (typeof DECLINE_REASONS)[number]

export function isDeclineReason(value: string): value is DeclineReason {
  return (DECLINE_REASONS as readonly string[]).includes(value)
}

export const COORDINATION_STATUSES = ['proposed', 'accepted', 'unassigned', 'ended'] as const
export type CoordinationStatus = (typeof COORDINATION_STATUSES)[number]

export const eventOrganisationSchema = z.object({
  id: z.string(),
  name: z.string(),
  sector: z.string(),
  /** The organisation's functional mailbox. */
  email: z.string(),
})
export type EventOrganisation = z.infer<typeof eventOrganisationSchema>

export const eventContactSchema = z.object({ name: z.string(), email: z.string(), phone: z.string() })

/** One organisation's involvement: who to tell, and what the others are told of it. */
export const eventPartySchema = z.object({
  registrationId: z.string(),
  organisation: eventOrganisationSchema,
  contact: eventContactSchema,
  kind: z.enum(['concern', 'involvement']),
  /** The registrant's own reference (e.g. a school's pupil number); shown only to that party. */
  externalReference: z.string().nullable(),
  since: z.string(),
  leftAt: z.string().nullable(),
  /**
   * false: named to the others but not told itself. A household registrant hears of the links only once
   * they show to it (one working day later, docs/security.md), while the others are told of it at once.
   */
  told: z.boolean().optional(),
})
export type EventParty = z.infer<typeof eventPartySchema>

export const eventCoordinationSchema = z.object({
  organisation: eventOrganisationSchema.nullable(),
  status: z.enum(COORDINATION_STATUSES),
  dueAt: z.string().nullable(),
  escalationLevel: z.number().int(),
  pendingTransfer: z.object({ organisation: eventOrganisationSchema, proposedAt: z.string() }).nullable(),
  /** For `coordination.declined`: the code the decliner gave. */
  reason: z.string().nullable(),
})

/** What a `match.follow_up_due` event asks of its recipients. */
export const FOLLOW_UP_DUES = [
  'contact',
  'contact_overdue',
  'warm_handover',
  'closed_before_handover',
] as const
export type FollowUpDue = (typeof FOLLOW_UP_DUES)[number]

export const eventFollowUpSchema = z.object({
  /**
   * `contact`: the party has not recorded contact with the others yet; `contact_overdue` (to the
   * coordinator): the parties in `silent` are past the region's contactWithin; `warm_handover` (to the
   * coordinator): the warm handover is due; `closed_before_handover` (to the coordinator): the match closed
   * and the warm handover may still be recorded until `dueAt`.
   */
  due: z.enum(FOLLOW_UP_DUES),
  dueAt: z.string().nullable(),
  silent: z.array(eventOrganisationSchema),
})
export type EventFollowUp = z.infer<typeof eventFollowUpSchema>

export const notificationEventSchema = z.object({
  /** Stable per event: with the recipient and channel it makes the notification's Message-ID / webhook-id. */
  eventId: z.uuid(),
  type: z.enum(EVENT_TYPES),
  occurredAt: z.string(),
  matchId: z.string().nullable(),
  /** The registration the event is about (joined, left, ending, ended), if any. */
  registrationId: z.string().nullable(),
  /**
   * Every party to tell and to name to the others: a match's parties (active and, for party_left and
   * closed, the ones that just left), a household link's parties, or the one registrant for
   * registration events.
   */
  parties: z.array(eventPartySchema),
  /** Organisations to tell beside the parties: the designated coordinator, an escalation step's. */
  organisations: z.array(eventOrganisationSchema),
  coordination: eventCoordinationSchema.nullable(),
  /** For registration.ending_soon / ended: when it ends or ended. */
  endsAt: z.string().nullable(),
  /** For match.follow_up_due: what is due. */
  followUp: eventFollowUpSchema.nullable().optional(),
})
export type NotificationEvent = z.infer<typeof notificationEventSchema>

/**
 * The events of one transaction, in one queue job: notify-service records them together, so the mail to
 * one address about one change is one message. (A job holding a bare event is read as a batch of one.)
 */
export const notificationBatchSchema = z.object({
  batchId: z.uuid(),
  events: z.array(notificationEventSchema).min(1).max(1000),
})
export type NotificationBatch = z.infer<typeof notificationBatchSchema>

/** A queue job's data as a batch: a batch, or one event as it was queued before batches. */
export const queuedNotificationsSchema = z.union([
  notificationBatchSchema,
  notificationEventSchema.transform((event) => ({ batchId: event.eventId, events: [event] })),
])
