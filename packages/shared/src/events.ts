import { z } from 'zod'

/**
 * The queues services meet through, and the events on them. Payloads carry ids, organisations and
 * contacts: never a BSN, subject key, birth date or household data (docs/architecture.md §3.1). match-service
 * enqueues them in the same transaction as the change; notify-service turns each into one notification
 * per (recipient, channel).
 */
export const QUEUES = {
  /** match-service → notify-service: match, coordination, household and registration events. */
  notifications: 'notifications',
  /** notify-service's daily purge of notification records past NOTIFY_RETENTION_DAYS (a pg-boss schedule). */
  notifyPurge: 'notify-purge',
  /** audit-service: appends committed audit events to the hash chain (every minute, one run at a time). */
  auditSeal: 'audit-seal',
  /** audit-service: the daily retention purge of audit events older than AUDIT_RETENTION_DAYS. */
  auditPurge: 'audit-purge',
} as const

export const ALL_QUEUES: readonly string[] = Object.values(QUEUES)

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
})
export type NotificationEvent = z.infer<typeof notificationEventSchema>

const webhookOrganisationSchema = z.object({
  id: z.string().describe("The organisation's id in the index.").meta({ example: 'basisschool-regenboog' }),
  name: z.string().describe("The organisation's name."),
  sector: z.enum(SECTORS).describe("The organisation's sector."),
})

/**
 * The body of every webhook notify-service sends (Standard Webhooks shape `{type, timestamp, data}`), from
 * one notification event as one organisation may see it. The OpenAPI document's `webhooks` are generated
 * from this schema and notify-service builds its payloads against it, so the two cannot drift.
 */
export const webhookPayloadSchema = z
  .object({
    type: z.enum(EVENT_TYPES).describe('What happened.'),
    timestamp: z
      .string()
      .describe('When it happened (ISO 8601, UTC).')
      .meta({ example: '2026-03-02T09:00:00.000Z' }),
    data: z
      .object({
        eventId: z.string().describe('The event; one event reaches each organisation it concerns.'),
        notificationId: z.string().describe("This organisation's notification of it: the webhook-id."),
        matchId: z.string().nullable().describe('The match the event is about, if any.'),
        registrationId: z.string().nullable().describe('The registration the event is about, if any.'),
        organisation: z.string().describe('The receiving organisation.'),
        parties: z
          .array(
            z.object({
              own: z
                .boolean()
                .describe("Whether this party is the receiving organisation's own registration."),
              registrationId: z.string().nullable().describe('The registration id, on own parties only.'),
              organisation: webhookOrganisationSchema.describe('The party organisation.'),
              contact: z
                .object({
                  name: z.string().describe('The professional to contact.'),
                  email: z.string().describe('Their e-mail address.'),
                  phone: z.string().describe('Their phone number.'),
                })
                .describe('Who to contact at that organisation.'),
              kind: z.enum(['concern', 'involvement']).describe('A concern (zorgmelding) or an involvement.'),
              externalReference: z
                .string()
                .nullable()
                .describe("The registrant's own reference, masked, on own parties only."),
              since: z.string().describe('When the party joined (ISO 8601).'),
              leftAt: z.string().nullable().describe('When the party left, if it did.'),
            }),
          )
          .describe('The parties involved, as the receiver may see them.'),
        organisations: z
          .array(webhookOrganisationSchema)
          .describe('Organisations told beside the parties: the coordinator, an escalation step.'),
        coordination: z
          .object({
            organisation: webhookOrganisationSchema
              .nullable()
              .describe('The (proposed) coordinator, if any.'),
            status: z.enum(COORDINATION_STATUSES).describe('Where the coordination stands.'),
            dueAt: z.string().nullable().describe('When the proposed coordinator must have accepted.'),
            escalationLevel: z.number().int().describe('The escalation step reached (0: none).'),
            pendingTransfer: z
              .object({
                organisation: webhookOrganisationSchema.describe('The organisation asked to take over.'),
                proposedAt: z.string().describe('When the handover was proposed.'),
              })
              .nullable()
              .describe('A handover waiting for acceptance, if any.'),
            reason: z.string().nullable().describe('For coordination.declined: the decline reason code.'),
          })
          .nullable()
          .describe("The match's coordination, for coordination events."),
        endsAt: z
          .string()
          .nullable()
          .describe('For registration.ending_soon / ended: when it ends or ended.'),
      })
      .describe('The facts, under the same privacy rules as the mail: nothing about the child.'),
  })
  .describe('A webhook body: one event as the receiving organisation may see it.')
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>

/** What each event means to a receiver: the document's `webhooks` entries (the same events go by mail). */
export const EVENT_DESCRIPTIONS: Record<EventType, string> = {
  'match.created': 'A second organisation registered the same child: a match formed.',
  'match.party_joined': 'Another organisation joined a match.',
  'match.party_left': 'An organisation left a match (withdrawal or expiry).',
  'match.closed': 'Fewer than two organisations are active: the match closed.',
  'household.linked': 'Another child of the same household has a match: the parties are told of each other.',
  'registration.ending_soon': 'A registration reaches its end date soon.',
  'registration.ended': 'A registration ended.',
  'coordination.proposed': 'An organisation is proposed to coordinate the match.',
  'coordination.accepted': 'The proposed organisation accepted coordination.',
  'coordination.declined': 'The proposed organisation declined coordination.',
  'coordination.unassigned': 'No organisation could be designated: the escalation ladder starts.',
  'coordination.transfer_requested': 'The coordinator proposed a handover to another organisation.',
  'coordination.transferred': 'The handover was accepted.',
  'coordination.escalated': 'The match reached an escalation step.',
}
