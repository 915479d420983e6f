import { type Actor, ProblemError, recordAudit } from '@verwijsindex/shared'
import type { Kysely } from 'kysely'
import { getNotification, type NotificationView, requeueDead } from '../db/notifications.js'
import type { NotifyDatabase } from '../db/schema.js'
import { getWebhook } from '../db/webhooks.js'

/**
 * An administrator puts a dead notification back in line with a fresh set of attempts; `wake` tells the
 * delivery loop to run now.
 */
export async function retryNotification(
  deps: { db: Kysely<NotifyDatabase>; wake: () => void },
  actor: Actor,
  id: string,
): Promise<NotificationView> {
  const notification = await deps.db.transaction().execute(async (trx) => {
    const current = await getNotification(trx, id)
    if (!current) throw new ProblemError('not_found', `No notification ${id}`)
    if (current.status !== 'dead') {
      throw new ProblemError(
        'conflict',
        `Only a dead notification can be retried; this one is ${current.status}`,
      )
    }
    if (current.webhookId) {
      const webhook = await getWebhook(trx, current.webhookId)
      if (!webhook || webhook.deletedAt) throw new ProblemError('conflict', 'The webhook has been deleted')
    }
    if (!(await requeueDead(trx, id, actor.at))) {
      throw new ProblemError('conflict', 'The notification changed meanwhile; read it again')
    }
    await recordAudit(trx, actor, 'notification.retry', { resource: { type: 'notification', id } })
    return getNotification(trx, id)
  })
  deps.wake()
  if (!notification) throw new ProblemError('not_found', `No notification ${id}`)
  return notification
}
