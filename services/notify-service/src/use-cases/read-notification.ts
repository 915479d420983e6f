import { type Actor, recordAudit, requireVisible } from '@verwijsindex/shared'
import type { Kysely } from 'kysely'
import { getNotification, type NotificationView } from '../db/notifications.js'
import type { NotifyDatabase } from '../db/schema.js'
import { seesOrganisation } from '../domain/visibility.js'

/** One notification, if the actor may see it; another organisation's is a 404 and an audited denial. */
export async function readNotification(
  db: Kysely<NotifyDatabase>,
  actor: Actor,
  id: string,
): Promise<NotificationView> {
  const notification = await requireVisible(db, actor, {
    resource: { type: 'notification', id },
    row: await getNotification(db, id),
    visible: (n) => seesOrganisation(actor, n.organisationId),
  })
  await recordAudit(db, actor, 'notification.read', { resource: { type: 'notification', id } })
  return notification
}
