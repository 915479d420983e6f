import { inTransaction, type NotificationEvent, type PgBoss, QUEUES } from '@verwijsindex/shared'
import type { Transaction } from 'kysely'
import type { MatchDatabase } from '../db/schema.js'

/**
 * Enqueues events on the caller's transaction: an event exists exactly when the change that caused it
 * commits, so a crash can lose neither the change's event nor invent one for a rolled-back change.
 */
export async function publish(
  boss: PgBoss,
  trx: Transaction<MatchDatabase>,
  events: NotificationEvent[],
): Promise<void> {
  for (const event of events) {
    await boss.send(QUEUES.notifications, event, {
      db: inTransaction(trx),
      retryLimit: 10,
      retryBackoff: true,
    })
  }
}
