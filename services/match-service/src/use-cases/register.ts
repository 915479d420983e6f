import { randomUUID } from 'node:crypto'
import {
  type Actor,
  amsterdamDate,
  auditEventOf,
  auditRowOf,
  householdKey,
  pipelined,
  recordAudit,
  recordAuditEvents,
  ruleViolation,
  subjectKey,
} from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { registerIfFresh } from '../db/registrations.js'
import type { Organisation, Registration } from '../db/schema.js'
import { ageOn, MAX_AGE } from '../domain/age.js'
import { householdVisibleFrom } from '../domain/household.js'
import { daysAfter, maxDurationDays } from '../domain/registration.js'
import { changeEvents } from '../events/change-events.js'
import { publish } from '../events/publish.js'
import { viewOf } from '../views/registration-view.js'
import type { RegistrationView } from '../views/schemas.js'
import { changeAuditEvents } from './audit-changes.js'
import { linkHousehold } from './household-links.js'
import { joinMatch } from './match-membership.js'
import { reevaluateChangedMatches } from './reevaluate-coordination.js'
import { registrationRegion } from './registration-region.js'

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

/**
 * Registers that an organisation is involved with a child (melding). Idempotent per organisation and
 * child: while one is active, registering again returns it unchanged.
 */
export async function register(
  ctx: MatchContext,
  actor: Actor,
  organisation: Organisation,
  input: RegistrationInput,
): Promise<{ view: RegistrationView; created: boolean }> {
  const now = ctx.clock.now()
  const today = amsterdamDate(now)
  if (input.birthDate > today) throw ruleViolation('/birthDate', 'the birth date lies in the future')
  if (ageOn(input.birthDate, today) >= MAX_AGE) {
    throw ruleViolation('/birthDate', `the law allows registrations only below the age of ${MAX_AGE}`)
  }
  const region = await registrationRegion(ctx.db, input.municipality, organisation)
  const max = maxDurationDays(region.document.registration.maxDurationDays)
  const durationDays = input.durationDays ?? Math.min(region.document.registration.defaultDurationDays, max)
  if (durationDays > max) {
    throw ruleViolation('/durationDays', `region ${region.code} allows at most ${max} days`)
  }
  const key = subjectKey(input.bsn, ctx.subjectKeySecret)
  const registration: Registration = {
    id: randomUUID(),
    subjectKey: key,
    organisationId: organisation.id,
    kind: input.kind,
    status: 'active',
    createdAt: now,
    endsAt: daysAfter(now, durationDays),
    endedAt: null,
    endReason: null,
    externalReference: input.externalReference ?? null,
    contactName: input.contact.name,
    contactEmail: input.contact.email,
    contactPhone: input.contact.phone,
    municipality: input.municipality ?? null,
    // Only a keyed hash of the address is kept, like the subject key.
    householdKey: input.household
      ? householdKey(input.household.postcode, input.household.houseNumber, ctx.subjectKeySecret)
      : null,
    householdVisibleAt: input.household ? householdVisibleFrom(now, region.document.holidays) : null,
    householdToldAt: null,
    probeSuspectedAt: null,
    remindedAt: null,
    createdBy: actor.id ?? actor.service,
  }
  const resource = { type: 'registration', id: registration.id }
  const created = auditEventOf(actor, 'registration.create', { subjectKey: key, resource })

  return ctx.db.transaction().execute(async (trx) => {
    // Most registrations are on a child nobody else is active on: one statement locks the child and does
    // all of it. Otherwise (or with a household to link) the general path below, under that lock.
    const child = await registerIfFresh(trx, registration, input.birthDate, [auditRowOf(created)])
    const { historyAvailable } = child
    if (child.registered)
      return { view: await viewOf(trx, registration, organisation, null, historyAvailable), created: true }
    const existing = child.active.find((r) => r.organisationId === organisation.id)
    if (existing) {
      await recordAudit(trx, actor, 'registration.read', {
        subjectKey: key,
        resource: { type: 'registration', id: existing.id },
      })
      return {
        view: await viewOf(trx, existing, organisation, child.openMatchId, historyAvailable),
        created: false,
      }
    }
    const changes = await joinMatch(trx, registration, now, child)
    const coordination = await reevaluateChangedMatches(trx, changes, now)
    const household = await linkHousehold(trx, registration, now)
    const events = [
      ...(await changeEvents(trx, { match: changes, coordination }, now)),
      ...(household ? [household] : []),
    ]
    // The match this registration made or joined, if any, is the child's open match.
    const matchId = changes[0]?.matchId ?? null
    // The last three statements depend on none of each other: written together, one round trip.
    const [view] = await pipelined(trx, (trx) =>
      Promise.all([
        viewOf(trx, registration, organisation, matchId, historyAvailable),
        publish(ctx.boss, trx, events),
        recordAuditEvents(trx, [
          ...(household ? [auditEventOf(actor, 'household.link', { subjectKey: key, resource })] : []),
          created,
          ...changeAuditEvents(actor, key, { match: changes, coordination }),
        ]),
      ]),
    )
    return { view, created: true }
  })
}
