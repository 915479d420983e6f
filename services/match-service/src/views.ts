import type { Kysely } from 'kysely'
import { z } from 'zod'
import { contactsOf, coordinationOf, historyOf } from './db/coordination.js'
import { householdLinks } from './db/households.js'
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

export function toHeldRegistration(
  r: Registration,
  organisation: { id: string; name: string; sector: string },
): z.infer<typeof heldRegistrationSchema> {
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

export const partySchema = z.object({
  organisation: organisationRefSchema,
  contact: contactSchema,
  kind: z.enum(['concern', 'involvement']),
  since: z.date(),
  leftAt: z.date().nullable(),
  /** Only on the caller's own party. */
  registrationId: z.uuid().nullable(),
})

export const householdSchema = z.object({ matchId: z.uuid().nullable(), parties: z.array(partySchema) })

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
    households: z.array(householdSchema),
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

export async function coordinationView(db: Kysely<MatchDatabase>, matchId: string) {
  const c = await coordinationOf(db, matchId)
  if (!c) return null
  const ids = [c.organisationId, c.pendingTransferTo].filter((id): id is string => Boolean(id))
  const orgs = ids.length
    ? await db
        .selectFrom('match.organisations')
        .select(['id', 'name', 'sector'])
        .where('id', 'in', ids)
        .execute()
    : []
  const ref = (id: string | null) => orgs.find((o) => o.id === id) ?? null
  const pending = ref(c.pendingTransferTo)
  return {
    organisation: ref(c.organisationId),
    status: c.status,
    proposedAt: c.proposedAt,
    dueAt: c.dueAt,
    acceptedAt: c.acceptedAt,
    ruleId: c.ruleId,
    regionVersion: c.regionVersion,
    escalationLevel: c.escalationLevel,
    pendingTransfer:
      pending && c.pendingTransferAt ? { organisation: pending, proposedAt: c.pendingTransferAt } : null,
    history: (await historyOf(db, matchId)).map((h) => ({
      at: h.at,
      event: h.event,
      organisation: h.organisationId,
      ruleId: h.ruleId,
      level: h.level,
      reason: h.reason,
    })),
  }
}

/**
 * The viewer's household links: for each of its active registrations on the child that carries a
 * household, the other organisations' active registrations on other children of that household.
 */
export async function householdsFor(
  db: Kysely<MatchDatabase>,
  subjectKey: string,
  viewer: string,
): Promise<z.infer<typeof householdSchema>[]> {
  const own = await db
    .selectFrom('match.registrations')
    .select('householdKey')
    .where('subjectKey', '=', subjectKey)
    .where('organisationId', '=', viewer)
    .where('status', '=', 'active')
    .where('householdKey', 'is not', null)
    .execute()
  const bySubject = new Map<string, z.infer<typeof partySchema>[]>()
  for (const { householdKey } of own) {
    for (const link of await householdLinks(db, householdKey as string, subjectKey, viewer)) {
      const parties = bySubject.get(link.subjectKey) ?? []
      parties.push({
        organisation: {
          id: link.organisationId,
          name: link.organisationName,
          sector: link.organisationSector,
        },
        contact: { name: link.contactName, email: link.contactEmail, phone: link.contactPhone },
        kind: link.kind,
        since: link.createdAt,
        leftAt: null,
        registrationId: null,
      })
      bySubject.set(link.subjectKey, parties)
    }
  }
  const households: z.infer<typeof householdSchema>[] = []
  for (const [sibling, parties] of bySubject) {
    const open = await db
      .selectFrom('match.matches')
      .select('id')
      .where('subjectKey', '=', sibling)
      .where('status', '=', 'open')
      .executeTakeFirst()
    households.push({ matchId: open?.id ?? null, parties })
  }
  return households
}

export async function toMatchView(
  db: Kysely<MatchDatabase>,
  match: Match,
  viewer: string,
): Promise<MatchView> {
  // Independent reads: on a pool they run side by side (in a transaction they queue on its connection).
  const [parties, contacts, coordination, households] = await Promise.all([
    partiesOf(db, match.id),
    contactsOf(db, match.id),
    coordinationView(db, match.id),
    householdsFor(db, match.subjectKey, viewer),
  ])
  return {
    id: match.id,
    status: match.status,
    createdAt: match.createdAt,
    closedAt: match.closedAt,
    region: match.regionCode,
    parties: parties.map((p) => toParty(p, viewer)),
    coordination,
    contacted: contacts.map((c) => ({
      organisation: { id: c.id, name: c.name, sector: c.sector },
      at: c.at,
    })),
    households,
  }
}
