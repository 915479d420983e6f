import { type Actor, auditEventOf, requireVisible } from '@verwijsindex/shared'
import type { Kysely } from 'kysely'
import { matchSeenBy } from '../db/match-visibility.js'
import type { Match, MatchDatabase } from '../db/schema.js'

/**
 * Need to know: a match the caller is not part of does not exist for it (404, the attempt audited). With
 * `read`, a visible match is audited as read (`match.read`) by the statement that loads it.
 */
export async function visibleMatch(
  db: Kysely<MatchDatabase>,
  actor: Actor,
  matchId: string,
  organisationId: string,
  { read = false }: { read?: boolean } = {},
): Promise<Match> {
  const resource = { type: 'match', id: matchId }
  const readEvent = read ? auditEventOf(actor, 'match.read', { resource }) : undefined
  const { visible: _, ...match } = await requireVisible(db, actor, {
    resource,
    row: await matchSeenBy(db, matchId, organisationId, readEvent),
    visible: (m) => m.visible,
    subjectKeyOf: (m) => m.subjectKey,
  })
  return match
}
