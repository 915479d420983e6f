import { type Actor, requireVisible } from '@verwijsindex/shared'
import type { Kysely } from 'kysely'
import { matchSeenBy } from '../db/match-visibility.js'
import type { Match, MatchDatabase } from '../db/schema.js'

/** Need to know: a match the caller is not part of does not exist for it (404, the attempt audited). */
export async function visibleMatch(
  db: Kysely<MatchDatabase>,
  actor: Actor,
  matchId: string,
  organisationId: string,
): Promise<Match> {
  const { visible: _, ...match } = await requireVisible(db, actor, {
    resource: { type: 'match', id: matchId },
    row: await matchSeenBy(db, matchId, organisationId),
    visible: (m) => m.visible,
    subjectKeyOf: (m) => m.subjectKey,
  })
  return match
}
