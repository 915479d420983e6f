import type { Kysely } from 'kysely'
import { z } from 'zod'
import { type PartyRow, partiesOf } from './db/matches.js'
import type { Match, MatchDatabase, Registration } from './db/schema.js'

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
    historyAvailable: z.boolean(),
  })
  .meta({ id: 'Registration' })
export type RegistrationView = z.infer<typeof registrationSchema>

export function toRegistrationView(
  r: Registration,
  organisation: { id: string; name: string; sector: string },
  matchId: string | null,
  historyAvailable: boolean,
): RegistrationView {
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
    matchId,
    historyAvailable,
  }
}

export const partySchema = z.object({
  organisation: organisationRefSchema,
  contact: contactSchema,
  kind: z.enum(['concern', 'involvement']),
  since: z.date(),
  leftAt: z.date().nullable(),
  /** Only on the caller's own party. */
  registrationId: z.uuid().nullable(),
})

export const matchSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(['open', 'closed']),
    createdAt: z.date(),
    closedAt: z.date().nullable(),
    region: z.string().nullable(),
    parties: z.array(partySchema),
    coordination: z.null(),
    households: z.array(z.object({ matchId: z.uuid().nullable(), parties: z.array(partySchema) })),
  })
  .meta({ id: 'Match' })
export type MatchView = z.infer<typeof matchSchema>

function toParty(p: PartyRow, viewer: string): z.infer<typeof partySchema> {
  return {
    organisation: { id: p.organisationId, name: p.organisationName, sector: p.organisationSector },
    contact: { name: p.contactName, email: p.contactEmail, phone: p.contactPhone },
    kind: p.kind,
    since: p.joinedAt,
    leftAt: p.leftAt,
    registrationId: p.organisationId === viewer ? p.registrationId : null,
  }
}

export async function toMatchView(
  db: Kysely<MatchDatabase>,
  match: Match,
  viewer: string,
): Promise<MatchView> {
  const parties = await partiesOf(db, match.id)
  return {
    id: match.id,
    status: match.status,
    createdAt: match.createdAt,
    closedAt: match.closedAt,
    region: match.regionCode,
    parties: parties.map((p) => toParty(p, viewer)),
    coordination: null,
    households: [],
  }
}
