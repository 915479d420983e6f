import {
  type Actor,
  createdAtCursorSchema,
  decodeCursor,
  ProblemError,
  pageOf,
  recordAudit,
  recordDenied,
} from '@verwijsindex/shared'
import type { Kysely } from 'kysely'
import { findNotifications, type NotificationView } from '../db/notifications.js'
import type { NotifyDatabase } from '../db/schema.js'
import type { Channel, NotificationStatus } from '../domain/notification.js'
import { organisationScope } from '../domain/visibility.js'

export interface NotificationQuery {
  status?: NotificationStatus
  channel?: Channel
  matchId?: string
  eventId?: string
  /** Only the admin may name another organisation than its own. */
  organisation?: string
  cursor?: string
  limit: number
}

/** The notifications the actor may see, newest first, one page at a time. */
export async function listNotifications(
  db: Kysely<NotifyDatabase>,
  actor: Actor,
  query: NotificationQuery,
): Promise<{ items: NotificationView[]; nextCursor: string | null }> {
  const { limit, cursor, organisation, ...filter } = query
  const scope = organisationScope(actor)
  if (scope !== null && organisation !== undefined && organisation !== scope) {
    await recordDenied(db, actor, { resource: { type: 'organisation', id: organisation } })
    throw new ProblemError('forbidden', 'An organisation sees its own notifications only')
  }
  const after = decodeCursor(cursor, createdAtCursorSchema)
  const rows = await findNotifications(
    db,
    { ...filter, organisationId: scope ?? organisation, after },
    limit + 1,
  )
  await recordAudit(db, actor, 'notification.list', { resource: { type: 'notification', id: null } })
  return pageOf(rows, limit, (n) => ({ createdAt: n.createdAt.toISOString(), id: n.id }))
}
