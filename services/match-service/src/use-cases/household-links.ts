import { type Actor, type NotificationEvent, recordAudit, serviceActor } from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import type { MatchContext } from '../context.js'
import {
  claimHouseholdsDue,
  householdLinks,
  markHouseholdTold,
  markProbeSuspected,
} from '../db/households.js'
import { openMatchOf } from '../db/matches.js'
import type { MatchDatabase, Organisation, Registration } from '../db/schema.js'
import { householdLinksShow, isProbeSuspected } from '../domain/household.js'
import { publish } from '../events/publish.js'
import { householdEvent } from '../events/registration-events.js'
import { registrationRegion } from './registration-region.js'
import { SERVICE } from './scheduled-changes.js'

/**
 * A new registration with a household address, in its transaction: the `household.linked` event when it
 * links (the caller audits `household.link`). Each organisation already involved with another child of
 * the household is told of it at once when its own links show — so a probe is seen by those it probes —
 * and else once they do. The registrant hears of them at once only when its child has an open match; else
 * the schedule tells it once its links show (tellHouseholdsDue).
 */
export async function linkHousehold(
  trx: Transaction<MatchDatabase>,
  registration: Registration,
  now: Date,
): Promise<NotificationEvent | undefined> {
  if (!registration.householdKey) return undefined
  const inOpenMatch = (await openMatchOf(trx, registration.subjectKey)) !== undefined
  // Told now of every link there is, so the schedule passes it by; later links tell it while its links show.
  if (inOpenMatch) await markHouseholdTold(trx, registration.id, now)
  const links = await householdLinks(
    trx,
    registration.householdKey,
    registration.subjectKey,
    registration.organisationId,
  )
  if (links.length === 0) return undefined
  const told = {
    registrant: inOpenMatch,
    link: (l: (typeof links)[number]) => householdLinksShow(l.householdVisibleAt, l.inOpenMatch, now),
  }
  return householdEvent(trx, registration, links, told, now)
}

/**
 * Tells each household registrant whose links showed by `now`, once, of the organisations involved with
 * the household's other children; they were told of it when it was made.
 */
export async function tellHouseholdsDue(ctx: MatchContext, now: Date): Promise<number> {
  return ctx.db.transaction().execute(async (trx) => {
    const due = await claimHouseholdsDue(trx, now)
    const events: NotificationEvent[] = []
    for (const registration of due) {
      const links = await householdLinks(
        trx,
        registration.householdKey as string,
        registration.subjectKey,
        registration.organisationId,
      )
      if (links.length === 0) continue
      events.push(
        await householdEvent(trx, registration, links, { registrant: true, link: () => false }, now),
      )
      await recordAudit(trx, serviceActor(SERVICE, now), 'household.told', {
        subjectKey: registration.subjectKey,
        resource: { type: 'registration', id: registration.id },
      })
    }
    await publish(ctx.boss, trx, events)
    return events.length
  })
}

/**
 * A withdrawal, in its transaction: when it has the pattern of a probe (domain/household.ts) it is flagged
 * on the registration (counted on /metrics) and in the audit trail (`household.probe_suspected`).
 */
export async function flagHouseholdProbe(
  trx: Transaction<MatchDatabase>,
  actor: Actor,
  organisation: Organisation,
  ended: Registration,
): Promise<void> {
  if (!ended.householdKey || !ended.endedAt) return
  const region = await registrationRegion(trx, ended.municipality, organisation)
  const visibleAt = ended.householdVisibleAt ?? ended.createdAt
  if (!isProbeSuspected(visibleAt, ended.endedAt, region.document.holidays)) return
  await markProbeSuspected(trx, ended.id, ended.endedAt)
  await recordAudit(trx, actor, 'household.probe_suspected', {
    subjectKey: ended.subjectKey,
    resource: { type: 'registration', id: ended.id },
  })
}
