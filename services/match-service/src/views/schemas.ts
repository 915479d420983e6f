import { z } from 'zod'
import type { PartyRow } from '../db/match-parties.js'
import type { Registration } from '../db/schema.js'
import { COORDINATION_HISTORY_EVENTS } from '../domain/coordination-history.js'
import { END_REASONS, type EndReason } from '../domain/registration.js'
import { type Sector, sectorSchema } from '../domain/sectors.js'

const at = (description: string) =>
  z.date().describe(description).meta({ example: '2026-03-02T09:00:00.000Z' })
const atOrNull = (description: string) =>
  z.date().nullable().describe(description).meta({ example: '2026-03-02T09:00:00.000Z' })

export const organisationRefSchema = z
  .object({
    id: z.string().describe("The organisation's id (a slug).").meta({ example: 'basisschool-regenboog' }),
    name: z.string().describe("The organisation's name.").meta({ example: 'Basisschool De Regenboog' }),
    sector: sectorSchema.describe("The organisation's sector."),
  })
  .describe('An organisation, as other parties see it.')

export const contactSchema = z
  .object({
    name: z.string().describe("The professional's name.").meta({ example: 'Anna de Vries' }),
    email: z
      .string()
      .describe("The professional's email address.")
      .meta({ example: 'a.devries@regenboog.example' }),
    phone: z.string().describe("The professional's phone number.").meta({ example: '+31 40 123 4567' }),
  })
  .describe('How to reach the professional who registered.')

const kindSchema = z
  .enum(['concern', 'involvement'])
  .describe(
    '`concern`: a signal about the child; `involvement`: the organisation has care running (ketenregistratie).',
  )

const coordinationStatusSchema = z
  .enum(['proposed', 'accepted', 'unassigned', 'ended'])
  .describe(
    '`proposed`: designated, awaiting acceptance; `accepted`; `unassigned`: no candidate, escalating; `ended`.',
  )

export const registrationSchema = z
  .object({
    id: z.uuid().describe("The registration's id."),
    organisation: organisationRefSchema.describe('The registering organisation.'),
    kind: kindSchema,
    status: z
      .enum(['active', 'ended'])
      .describe('`active` while it can match; `ended` once withdrawn or run out.'),
    createdAt: at('When it was registered.'),
    endsAt: at('When it ends by itself (its duration, at most two years, or the 23rd birthday).'),
    endedAt: atOrNull('When it ended; null while active.'),
    endReason: z
      .enum(END_REASONS)
      .nullable()
      .describe(
        "Why it ended: the registrant's `resolved`, `unjustified`, `transferred` or `error`, or the law's `expired`, `age_limit`, `erased`, or `organisation_deactivated` when an admin deactivated the organisation; null while active.",
      ),
    externalReference: z
      .string()
      .nullable()
      .describe("The registrant's own reference (a pupil or case number), if given.")
      .meta({ example: 'LLN-2041' }),
    contact: contactSchema.describe('The professional to contact about this registration.'),
    matchId: z.uuid().nullable().describe('The match it is part of; null without one.'),
    coordination: z
      .object({
        organisation: organisationRefSchema
          .nullable()
          .describe('The designated coordinator; null when nobody could be designated.'),
        status: coordinationStatusSchema,
        dueAt: atOrNull('When the designated organisation must have accepted; null once accepted.'),
      })
      .nullable()
      .describe("The match's coordination as designated in the same transaction; null without a match."),
    historyAvailable: z
      .boolean()
      .describe(
        'Whether ended registrations of other organisations on this child exist in the history archive.',
      ),
  })
  .meta({ id: 'Registration' })
export type RegistrationView = z.infer<typeof registrationSchema>

/** A registration as the registrant (and the privacy officer) sees it, without match or history. */
export const heldRegistrationSchema = registrationSchema.omit({
  matchId: true,
  coordination: true,
  historyAvailable: true,
})

export type HeldRegistrationView = z.infer<typeof heldRegistrationSchema>

export function toHeldRegistration(
  r: Registration,
  organisation: { id: string; name: string; sector: Sector },
): HeldRegistrationView {
  return {
    id: r.id,
    organisation: { id: organisation.id, name: organisation.name, sector: organisation.sector },
    kind: r.kind,
    status: r.status,
    createdAt: r.createdAt,
    endsAt: r.endsAt,
    endedAt: r.endedAt,
    endReason: r.endReason as EndReason | null,
    externalReference: r.externalReference,
    contact: { name: r.contactName, email: r.contactEmail, phone: r.contactPhone },
  }
}

export function toRegistrationView(
  r: Registration,
  organisation: { id: string; name: string; sector: Sector },
  matchId: string | null,
  historyAvailable: boolean,
  coordination: RegistrationView['coordination'] = null,
): RegistrationView {
  return { ...toHeldRegistration(r, organisation), matchId, coordination, historyAvailable }
}

const involvedPartySchema = z
  .object({
    organisation: organisationRefSchema.describe("The party's organisation."),
    contact: contactSchema.describe('The professional to contact.'),
    kind: kindSchema,
    since: at('When the party joined the match.'),
    leftAt: atOrNull('When the party left (its registration ended); null while involved.'),
    registrationId: z
      .uuid()
      .nullable()
      .describe("The party's registration; given only on the caller's own party."),
  })
  .describe('An organisation involved with the child.')

/** A match's party, with its follow-up: notified, contacted, whom. */
export const partySchema = involvedPartySchema
  .extend({
    notifiedAt: atOrNull(
      'When the first notification of this match reached the party (reported by notify-service).',
    ),
    contactedAt: atOrNull('When the party first recorded that it contacted the others.'),
    contactedOrganisations: z
      .array(z.string().describe('An organisation id.'))
      .describe('Whom it said it contacted (organisation ids).'),
  })
  .describe('An organisation involved with the child, with its follow-up.')

export const householdSchema = z
  .object({
    matchId: z.uuid().nullable().describe("The household member's match; null when that child has no match."),
    parties: z
      .array(involvedPartySchema)
      .describe('The organisations involved with another child of the household.'),
  })
  .describe('Another child of the same household and who is involved with it.')
export type PartyView = z.infer<typeof involvedPartySchema>
export type MatchPartyView = z.infer<typeof partySchema>
export type HouseholdView = z.infer<typeof householdSchema>

const historyEntrySchema = z
  .object({
    at: at('When it happened.'),
    event: z.enum(COORDINATION_HISTORY_EVENTS).describe('What happened to the coordination.'),
    organisation: z
      .string()
      .nullable()
      .describe('The organisation it concerns (designated, declining, accepting); null when none.'),
    ruleId: z.string().nullable().describe('The region rule that designated, for `proposed`; else null.'),
    level: z.number().int().nullable().describe('The escalation level reached, for `escalated`; else null.'),
    reason: z
      .string()
      .nullable()
      .describe('The reason code given (decline or escalation), or who transferred; null when none.'),
  })
  .describe("One step in the coordination's history.")

export const coordinationSchema = z
  .object({
    organisation: organisationRefSchema
      .nullable()
      .describe('The designated coordinator; null when nobody could be designated (`unassigned`).'),
    status: coordinationStatusSchema,
    proposedAt: at('When the current coordinator was designated.'),
    dueAt: atOrNull('When the designated organisation must have accepted; null once accepted.'),
    acceptedAt: atOrNull('When it was accepted; null until then.'),
    ruleId: z
      .string()
      .nullable()
      .describe('The region rule that designated the coordinator; null for a fallback.')
      .meta({ example: '4-to-18' }),
    regionVersion: z.number().int().nullable().describe('The version of the region document applied.'),
    escalationLevel: z.number().int().describe('The escalation step reached; 0 before any.'),
    pendingTransfer: z
      .object({
        organisation: organisationRefSchema.describe('The organisation asked to take coordination over.'),
        proposedAt: at('When the transfer was proposed.'),
      })
      .nullable()
      .describe('A transfer the receiving organisation has yet to accept; null when none.'),
    history: z.array(historyEntrySchema).describe('Every step, oldest first.'),
  })
  .meta({ id: 'Coordination' })

export const matchSchema = z
  .object({
    id: z.uuid().describe("The match's id."),
    status: z
      .enum(['open', 'closed'])
      .describe('`open` while two or more organisations are involved; then `closed`.'),
    createdAt: at('When the match was made.'),
    closedAt: atOrNull('When it closed; null while open.'),
    region: z
      .string()
      .nullable()
      .describe('The region whose rules apply; null when none applies.')
      .meta({ example: 'eindhoven' }),
    parties: z
      .array(partySchema)
      .describe('The organisations involved, earliest first, including those that left.'),
    coordination: coordinationSchema.nullable().describe("The match's care coordination; null when none."),
    contacted: z
      .array(
        z
          .object({
            organisation: organisationRefSchema.describe('The party that recorded contact.'),
            at: at('When it recorded it.'),
          })
          .describe('A party that recorded having coordinated with the others.'),
      )
      .describe('Parties that recorded they have coordinated with the others (follow-up made visible).'),
    households: z
      .array(householdSchema)
      .describe('Other children of the same household and who is involved with them.'),
    warmHandover: z
      .object({
        at: at('When the warm handover was recorded.'),
        organisation: z.string().describe('The coordinator that recorded it.'),
      })
      .nullable()
      .describe('The warm handover (care arranged, the family arrived) as the coordinator recorded it.'),
  })
  .meta({ id: 'Match' })
export type MatchView = z.infer<typeof matchSchema>

export function toParty(p: PartyRow, viewer: string): MatchPartyView {
  return {
    organisation: { id: p.organisationId, name: p.organisationName, sector: p.organisationSector },
    contact: { name: p.contactName, email: p.contactEmail, phone: p.contactPhone },
    kind: p.kind,
    since: p.joinedAt,
    leftAt: p.leftAt,
    registrationId: p.organisationId === viewer ? p.registrationId : null,
    notifiedAt: p.notifiedAt,
    contactedAt: p.contactedAt,
    contactedOrganisations: p.contactedOrganisations ?? [],
  }
}
