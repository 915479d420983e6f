import { type Actor, recordAudit } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { ownHouseholds } from '../db/households.js'
import type { Organisation } from '../db/schema.js'
import { householdsFor } from '../views/households.js'
import type { HouseholdView } from '../views/schemas.js'
import { ownRegistration } from './own-registration.js'

/**
 * Other organisations involved with other children of the household of one of the caller's registrations,
 * once its links show (domain/household.ts), and from when they do.
 */
export async function readHousehold(
  ctx: MatchContext,
  actor: Actor,
  organisation: Organisation,
  id: string,
): Promise<{ households: HouseholdView[]; linksShowFrom: Date | null }> {
  const registration = await ownRegistration(ctx.db, actor, organisation, id)
  const own = await ownHouseholds(ctx.db, registration.subjectKey, organisation.id)
  const households = await householdsFor(
    ctx.db,
    own,
    registration.subjectKey,
    organisation.id,
    ctx.clock.now(),
  )
  await recordAudit(ctx.db, actor, 'household.read', {
    subjectKey: registration.subjectKey,
    resource: { type: 'registration', id: registration.id },
  })
  return { households, linksShowFrom: registration.householdVisibleAt }
}
