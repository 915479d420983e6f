import { z } from 'zod'
import type { PartyRow } from '../db/match-parties.js'
import type { Registration } from '../db/schema.js'

export const organisationRefSchema = z.object({ id: z.string(), name: z.string(), sector: z.string() })
export const contactSchema = z.object({ name: z.string(), email: z.string(), phone: z.string() })

export const registrationSchema = z
  .object({
    id: z.uuid(),
    organisation: organisationRefSchema,
    kind: z.enum(['concern', 'involvement']),
    status: z.enum(['active', 'ended']),
    createdAt: z.date(),
    endsAt: z.date(),
    endedAt: z.date().nullable(),
    endReason: z.string().nullable(),
    externalReference: z.string().nullable(),
    contact: contactSchema,
    matchId: z.uuid().nullable(),
    /** The match's coordination as designated in the same transaction (null without a match). */
    coordination: z
      .object({
        organisation: organisationRefSchema.nullable(),
        status: z.enum(['proposed', 'accepted', 'unassigned', 'ended']),
        dueAt: z.date().nullable(),
      })
      .nullable(),
    historyAvailable: z.boolean(),
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
  organisation: { id: string; name: string; sector: string },
): HeldRegistrationView {
  return {
    id: r.id,
    organisation: { id: organisation.id, name: organisation.name, sector: organisation.sector },
    kind: r.kind,
    status: r.status,
    createdAt: r.createdAt,
    endsAt: r.endsAt,
    endedAt: r.endedAt,
    endReason: r.endReason,
    externalReference: r.externalReference,
    contact: { name: r.contactName, email: r.contactEmail, phone: r.contactPhone },
  }
}

export function toRegistrationView(
  r: Registration,
  organisation: { id: string; name: string; sector: string },
  matchId: string | null,
  historyAvailable: boolean,
  coordination: RegistrationView['coordination'] = null,
): RegistrationView {
  return { ...toHeldRegistration(r, organisation), matchId, coordination, historyAvailable }
}

const involvedPartySchema = z.object({
  organisation: organisationRefSchema,
  contact: contactSchema,
  kind: z.enum(['concern', 'involvement']),
  since: z.date(),
  leftAt: z.date().nullable(),
  /** Only on the caller's own party. */
  registrationId: z.uuid().nullable(),
})

/** A match's party, with its follow-up: notified, contacted, whom. */
export const partySchema = involvedPartySchema.extend({
  /** When the first notification of this match reached the party (reported by notify-service). */
  notifiedAt: z.date().nullable(),
  /** When the party first recorded that it contacted the others. */
  contactedAt: z.date().nullable(),
  /** Whom it said it contacted (organisation ids). */
  contactedOrganisations: z.array(z.string()),
})

export const householdSchema = z.object({
  matchId: z.uuid().nullable(),
  parties: z.array(involvedPartySchema),
})
export type PartyView = z.infer<typeof involvedPartySchema>
export type MatchPartyView = z.infer<typeof partySchema>
export type HouseholdView = z.infer<typeof householdSchema>

const historyEntrySchema = z.object({
  at: z.date(),
  event: z.string(),
  organisation: z.string().nullable(),
  ruleId: z.string().nullable(),
  level: z.number().int().nullable(),
  reason: z.string().nullable(),
})

export const coordinationSchema = z
  .object({
    organisation: organisationRefSchema.nullable(),
    status: z.enum(['proposed', 'accepted', 'unassigned', 'ended']),
    proposedAt: z.date(),
    dueAt: z.date().nullable(),
    acceptedAt: z.date().nullable(),
    ruleId: z.string().nullable(),
    regionVersion: z.number().int().nullable(),
    escalationLevel: z.number().int(),
    pendingTransfer: z.object({ organisation: organisationRefSchema, proposedAt: z.date() }).nullable(),
    history: z.array(historyEntrySchema),
  })
  .meta({ id: 'Coordination' })

export const matchSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(['open', 'closed']),
    createdAt: z.date(),
    closedAt: z.date().nullable(),
    region: z.string().nullable(),
    parties: z.array(partySchema),
    coordination: coordinationSchema.nullable(),
    /** Parties that recorded they have coordinated with the others (follow-up made visible). */
    contacted: z.array(z.object({ organisation: organisationRefSchema, at: z.date() })),
    /** The warm handover (care arranged, the family arrived) as the coordinator recorded it. */
    warmHandover: z.object({ at: z.date(), organisation: z.string() }).nullable(),
    households: z.array(householdSchema),
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
