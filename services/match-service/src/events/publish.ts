import { randomUUID } from 'node:crypto'
import {
  inTransaction,
  type NotificationBatch,
  type NotificationEvent,
  type PgBoss,
  QUEUES,
} from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import type { MatchDatabase } from '../db/schema.js'

/**
 * Enqueues events on the caller's transaction: an event exists exactly when the change that caused it
 * commits, so a crash can lose neither the change's event nor invent one for a rolled-back change. All
 * events of one transaction go in one job, so notify-service writes one mail per address per change.
 */
export async function publish(
  boss: PgBoss,
  trx: Transaction<MatchDatabase>,
  events: NotificationEvent[],
): Promise<void> {
  if (events.length === 0) return
  const batch: NotificationBatch = { batchId: randomUUID(), events }
  await boss.send(QUEUES.notifications, batch, {
    db: inTransaction(trx),
    retryLimit: 10,
    retryBackoff: true,
  })
}
