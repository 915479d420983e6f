import { type Actor, createdAtCursorSchema, decodeCursor, pageOf, recordAudit } from '@verwijsindex/shared'
import type { Kysely } from 'kysely'
import type { NotifyDatabase, Webhook } from '../db/schema.js'
import { findWebhooks } from '../db/webhooks.js'
import { actingAs } from '../domain/visibility.js'

/** The actor's organisation's active webhooks, oldest first, one page at a time. */
export async function listWebhooks(
  db: Kysely<NotifyDatabase>,
  actor: Actor,
  page: { cursor?: string; limit: number },
): Promise<{ items: Webhook[]; nextCursor: string | null }> {
  const after = decodeCursor(page.cursor, createdAtCursorSchema)
  const rows = await findWebhooks(db, actingAs(actor).organisation, after, page.limit + 1)
  await recordAudit(db, actor, 'webhook.list', { resource: { type: 'webhook', id: null } })
  return pageOf(rows, page.limit, (w) => ({ createdAt: w.createdAt.toISOString(), id: w.id }))
}
