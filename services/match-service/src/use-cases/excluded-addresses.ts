import {
  type Actor,
  type CreatedAtCursor,
  householdKey,
  ProblemError,
  recordAudit,
} from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { addExcludedAddress, listExcludedAddresses, removeExcludedAddress } from '../db/excluded-addresses.js'
import type { ExcludedAddress } from '../db/schema.js'

export interface Address {
  postcode: string
  houseNumber: string
}

/**
 * The admin's register of excluded addresses (register uitgesloten adressen): institutions and shelters,
 * where children who are not one family share an address. An address on it never links a household, and
 * links already made there stop showing. Kept only as the keyed hash household addresses are kept as.
 */
export async function excludeAddress(
  ctx: MatchContext,
  actor: Actor,
  address: Address,
): Promise<{ address: ExcludedAddress; created: boolean }> {
  const key = householdKey(address.postcode, address.houseNumber, ctx.subjectKeySecret)
  return ctx.db.transaction().execute(async (trx) => {
    const added = await addExcludedAddress(trx, key, ctx.clock.now(), actor.id ?? actor.service)
    await recordAudit(trx, actor, 'excluded_address.add', { resource: { type: 'excluded_address', id: key } })
    return added
  })
}

/** Takes an address off the register: its household links show again. */
export async function includeAddress(ctx: MatchContext, actor: Actor, address: Address): Promise<void> {
  const key = householdKey(address.postcode, address.houseNumber, ctx.subjectKeySecret)
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await removeExcludedAddress(trx, key))) {
      throw new ProblemError('not_found', 'This address is not on the register of excluded addresses')
    }
    await recordAudit(trx, actor, 'excluded_address.remove', {
      resource: { type: 'excluded_address', id: key },
    })
  })
}

export async function readExcludedAddresses(
  ctx: MatchContext,
  actor: Actor,
  after: CreatedAtCursor | undefined,
  limit: number,
): Promise<ExcludedAddress[]> {
  const rows = await listExcludedAddresses(ctx.db, after, limit)
  await recordAudit(ctx.db, actor, 'excluded_address.list')
  return rows
}
