import { type Actor, recordAudit, requireVisible } from '@verwijsindex/shared'
import type { Kysely } from 'kysely'
import type { NotifyDatabase } from '../db/schema.js'
import { getWebhook, markWebhookDeleted } from '../db/webhooks.js'

/**
 * Deletes one of the actor's organisation's webhooks and its secret; deliveries not yet made to it are
 * cancelled (dead). A deleted or another organisation's webhook is a 404.
 */
export async function deleteWebhook(db: Kysely<NotifyDatabase>, actor: Actor, id: string): Promise<void> {
  await requireVisible(db, actor, {
    resource: { type: 'webhook', id },
    row: await getWebhook(db, id),
    visible: (w) => w.deletedAt === null && w.organisationId === actor.organisation,
  })
  await db.transaction().execute(async (trx) => {
    await markWebhookDeleted(trx, id, actor.at)
    await recordAudit(trx, actor, 'webhook.delete', { resource: { type: 'webhook', id } })
  })
}
