import { type Actor, ProblemError, recordAudit, recordDenied } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { followUpOf } from '../db/follow-up.js'
import { getRegion } from '../db/regions.js'
import { type FollowUpTask, partyDeadlines, warmHandoverDueAt } from '../domain/follow-up.js'
import type { RegionDocument } from '../domain/region-document.js'

/** How many matches the to-do list holds at most (oldest first). */
export const FOLLOW_UP_LIMIT = 500
/** Closed matches stay on the list while their warm handover window may still be open. */
const CLOSED_LOOKBACK_MS = 400 * 86_400_000

export interface FollowUpItem {
  matchId: string
  status: 'open' | 'closed'
  createdAt: Date
  region: string | null
  tasks: { task: FollowUpTask; dueAt: Date | null }[]
}

/**
 * An organisation's to-do list (the console's first page): its open matches with what it still has to do
 * — record contact, answer a proposed coordination or transfer, record the warm handover — oldest first.
 * Only its own organisation may read it; anyone else gets 404, audited.
 */
export async function organisationFollowUp(
  ctx: MatchContext,
  actor: Actor,
  organisationId: string,
): Promise<FollowUpItem[]> {
  if (actor.organisation !== organisationId) {
    await recordDenied(ctx.db, actor, { resource: { type: 'organisation', id: organisationId } })
    throw new ProblemError('not_found', 'No such organisation')
  }
  const now = ctx.clock.now()
  const rows = await followUpOf(
    ctx.db,
    organisationId,
    new Date(now.getTime() - CLOSED_LOOKBACK_MS),
    FOLLOW_UP_LIMIT,
  )
  const regions = new Map<string, RegionDocument | undefined>()
  const documentOf = async (code: string | null) => {
    if (!code) return undefined
    if (!regions.has(code)) regions.set(code, (await getRegion(ctx.db, code))?.document)
    return regions.get(code)
  }
  const items: FollowUpItem[] = []
  for (const row of rows) {
    const doc = await documentOf(row.regionCode)
    const rules = doc?.followUp
    const holidays = doc?.holidays ?? []
    const tasks: FollowUpItem['tasks'] = []
    if (row.status === 'open' && row.isParty && !row.contactedAt) {
      tasks.push({
        task: 'contact',
        dueAt: rules && row.since ? partyDeadlines(new Date(row.since), rules, holidays).contactDueAt : null,
      })
    }
    const answers =
      row.status === 'open' &&
      ((row.coordinator === organisationId && row.coordinationStatus === 'proposed') ||
        row.pendingTransferTo === organisationId)
    if (answers)
      tasks.push({ task: 'accept', dueAt: row.coordinationStatus === 'proposed' ? row.dueAt : null })
    const handoverDue = rules ? warmHandoverDueAt(row.createdAt, rules, holidays) : null
    const coordinates = row.coordinator === organisationId && row.acceptedAt !== null && !row.warmHandoverAt
    if (coordinates && (row.status === 'open' || (handoverDue !== null && now < handoverDue)))
      tasks.push({ task: 'handover', dueAt: handoverDue })
    if (tasks.length > 0)
      items.push({
        matchId: row.id,
        status: row.status,
        createdAt: row.createdAt,
        region: row.regionCode,
        tasks,
      })
  }
  await recordAudit(ctx.db, actor, 'match.follow_up_list', {
    resource: { type: 'organisation', id: organisationId },
  })
  return items
}
