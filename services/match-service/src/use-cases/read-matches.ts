import { type Actor, type CreatedAtCursor, pageOf } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { matchesVisibleTo } from '../db/match-visibility.js'
import { toMatchView } from '../views/match-view.js'
import type { MatchView } from '../views/schemas.js'
import { auditListRead } from './audit-reads.js'
import { visibleMatch } from './visible-match.js'

/** The matches an organisation may see, newest first; every one shown is audited as read. */
export async function readMatches(
  ctx: MatchContext,
  actor: Actor,
  organisationId: string,
  query: { status?: 'open' | 'closed' | undefined; after?: CreatedAtCursor | undefined; limit: number },
): Promise<{ items: MatchView[]; nextCursor: string | null }> {
  const now = ctx.clock.now()
  const rows = await matchesVisibleTo(ctx.db, organisationId, query, query.limit + 1)
  const page = pageOf(rows, query.limit, (m) => ({ createdAt: m.createdAt.toISOString(), id: m.id }))
  const items = await Promise.all(page.items.map((m) => toMatchView(ctx.db, m, organisationId, now)))
  await auditListRead(ctx.db, actor, page.items, { type: 'match', read: 'match.read', list: 'match.list' })
  return { items, nextCursor: page.nextCursor }
}

/** One match the organisation may see, audited as read. */
export async function readMatch(
  ctx: MatchContext,
  actor: Actor,
  organisationId: string,
  matchId: string,
): Promise<MatchView> {
  const match = await visibleMatch(ctx.db, actor, matchId, organisationId, { read: true })
  return toMatchView(ctx.db, match, organisationId, ctx.clock.now())
}
