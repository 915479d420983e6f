import { z } from 'zod'
import { COORDINATION_STATUSES, EVENT_TYPES, type EventType, FOLLOW_UP_DUES, SECTORS } from './events.js'

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
        followUp: z
          .object({
            due: z
              .enum(FOLLOW_UP_DUES)
              .describe(
                'contact: record contact with the others; contact_overdue (to the coordinator): parties silent past contactWithin; warm_handover: the warm handover is due; closed_before_handover: the match closed, the handover may still be recorded.',
              ),
            dueAt: z.string().nullable().describe('By when (ISO 8601), if it applies.'),
            silent: z
              .array(webhookOrganisationSchema)
              .describe('For contact_overdue: the parties that have not recorded contact.'),
          })
          .nullable()
          .describe('For match.follow_up_due: what is due.'),
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
  'match.follow_up_due':
    'Follow-up of a match is due: a party to record contact, or the coordinator (silent parties, the warm handover).',
}
