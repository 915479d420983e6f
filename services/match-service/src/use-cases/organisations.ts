import type { Sector } from '@verwijsindex/shared'
import { type Actor, ProblemError, recordAudit, ruleViolation } from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import type { MatchContext } from '../context.js'
import {
  updateOrganisation as changeOrganisation,
  getOrganisation,
  createOrganisation as insertOrganisation,
  listOrganisations,
  type OrganisationInput,
} from '../db/organisations.js'
import { regionExists } from '../db/regions.js'
import type { MatchDatabase, Organisation } from '../db/schema.js'
import { endRegistrationsOfDeactivated } from './deactivate-organisation.js'

async function requireRegion(trx: Transaction<MatchDatabase>, region: string): Promise<void> {
  if (!(await regionExists(trx, region))) throw ruleViolation('/region', `region ${region} does not exist`)
}

/** An admin adds an organisation to a region. */
export async function createOrganisation(
  ctx: MatchContext,
  actor: Actor,
  input: OrganisationInput,
): Promise<Organisation> {
  return ctx.db.transaction().execute(async (trx) => {
    await requireRegion(trx, input.region)
    const created = await insertOrganisation(trx, input, ctx.clock.now())
    if (!created) throw new ProblemError('conflict', `organisation ${input.id} already exists`)
    await recordAudit(trx, actor, 'organisation.create', {
      resource: { type: 'organisation', id: created.id },
    })
    return created
  })
}

/**
 * An admin changes an organisation, (de)activation included. Deactivation ends its active registrations in
 * the same transaction (see deactivate-organisation.ts); reactivation leaves ended ones ended.
 */
export async function updateOrganisation(
  ctx: MatchContext,
  actor: Actor,
  id: string,
  changes: Partial<Omit<OrganisationInput, 'id'>>,
): Promise<Organisation> {
  return ctx.db.transaction().execute(async (trx) => {
    if (changes.region !== undefined) await requireRegion(trx, changes.region)
    const now = ctx.clock.now()
    const updated = await changeOrganisation(trx, id, changes, now)
    if (!updated) throw new ProblemError('not_found', `No organisation ${id}`)
    if (changes.active === false) await endRegistrationsOfDeactivated(ctx, trx, actor, id, now)
    await recordAudit(trx, actor, 'organisation.update', {
      resource: { type: 'organisation', id: updated.id },
    })
    return updated
  })
}

export async function readOrganisations(
  ctx: MatchContext,
  actor: Actor,
  filter: { region?: string | undefined; sector?: Sector | undefined; after?: string | undefined },
  limit: number,
): Promise<Organisation[]> {
  const rows = await listOrganisations(ctx.db, filter, limit)
  await recordAudit(ctx.db, actor, 'organisation.list')
  return rows
}

export async function readOrganisation(ctx: MatchContext, actor: Actor, id: string): Promise<Organisation> {
  const organisation = await getOrganisation(ctx.db, id)
  if (!organisation) throw new ProblemError('not_found', `No organisation ${id}`)
  await recordAudit(ctx.db, actor, 'organisation.read', {
    resource: { type: 'organisation', id: organisation.id },
  })
  return organisation
}
