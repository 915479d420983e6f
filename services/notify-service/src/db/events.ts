import type { NotificationEvent } from '@verwijsindex/shared'
import type { Kysely, Transaction } from 'kysely'
import type { Language } from '../domain/notification.js'
import type { PlannedNotification } from '../domain/recipients.js'
import type { NotifyDatabase } from './schema.js'

type Db = Kysely<NotifyDatabase> | Transaction<NotifyDatabase>

/**
 * Records an event and its notifications in one transaction. An event already recorded (a redelivered
 * queue job) records nothing: its notifications exist, and the unique (event, recipient, channel) key
 * would refuse them anyway.
 */
export async function recordEvent(
  trx: Transaction<NotifyDatabase>,
  event: NotificationEvent,
  planned: PlannedNotification[],
  language: Language,
  now: Date,
): Promise<{ duplicate: boolean; notifications: number }> {
  const inserted = await trx
    .insertInto('notify.events')
    .values({
      id: event.eventId,
      type: event.type,
      occurredAt: event.occurredAt,
      matchId: event.matchId,
      registrationId: event.registrationId,
      payload: JSON.stringify(event),
      receivedAt: now,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst()
  if (!inserted) return { duplicate: true, notifications: 0 }
  if (planned.length === 0) return { duplicate: false, notifications: 0 }
  const rows = await trx
    .insertInto('notify.notifications')
    .values(
      planned.map((p) => ({
        id: p.id,
        eventId: event.eventId,
        channel: p.channel,
        recipient: p.recipient,
        organisationId: p.organisationId,
        webhookId: p.webhookId,
        messageId: p.messageId,
        language,
        status: 'pending' as const,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      })),
    )
    .onConflict((oc) => oc.columns(['eventId', 'recipient', 'channel']).doNothing())
    .returning('id')
    .execute()
  return { duplicate: false, notifications: rows.length }
}

/** The event a notification was made from, as it was received. */
export async function storedEventPayload(db: Db, eventId: string): Promise<unknown> {
  const stored = await db
    .selectFrom('notify.events')
    .select('payload')
    .where('id', '=', eventId)
    .executeTakeFirst()
  return stored?.payload
}
