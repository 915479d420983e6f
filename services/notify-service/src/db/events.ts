import type { NotificationEvent } from '@verwijsindex/shared'
import type { Kysely, Transaction } from 'kysely'
import type { Language } from '../domain/notification.js'
import type { PlannedNotification } from '../domain/recipients.js'
import type { NotifyDatabase } from './schema.js'

type Db = Kysely<NotifyDatabase> | Transaction<NotifyDatabase>

/**
 * Records an event as received; false when it was recorded before (a redelivered queue job): its
 * notifications exist then, and are not planned again.
 */
export async function insertEvent(
  trx: Transaction<NotifyDatabase>,
  event: NotificationEvent,
  now: Date,
): Promise<boolean> {
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
  return inserted !== undefined
}

export interface NotificationToRecord extends PlannedNotification {
  eventId: string
  /** When it is first due: now, or the end of the recipient's digest window. */
  dueAt: Date
}

/** Records planned notifications, pending; the unique (event, recipient, channel) key refuses repeats. */
export async function insertNotifications(
  trx: Transaction<NotifyDatabase>,
  planned: NotificationToRecord[],
  language: Language,
  now: Date,
): Promise<number> {
  if (planned.length === 0) return 0
  const rows = await trx
    .insertInto('notify.notifications')
    .values(
      planned.map((p) => ({
        id: p.id,
        eventId: p.eventId,
        channel: p.channel,
        recipient: p.recipient,
        organisationId: p.organisationId,
        webhookId: p.webhookId,
        messageId: p.messageId,
        language,
        status: 'pending' as const,
        nextAttemptAt: p.dueAt,
        createdAt: now,
        updatedAt: now,
      })),
    )
    .onConflict((oc) => oc.columns(['eventId', 'recipient', 'channel']).doNothing())
    .returning('id')
    .execute()
  return rows.length
}

/**
 * The mail to `recipient` still gathering changes in its digest window: never attempted, not claimed, due
 * after `now`. Its rows are locked until the transaction ends, so a worker cannot claim it half-grown.
 */
export async function openDigest(
  trx: Transaction<NotifyDatabase>,
  recipient: string,
  now: Date,
): Promise<{ messageId: string; dueAt: Date; ids: string[] } | undefined> {
  const rows = await trx
    .selectFrom('notify.notifications')
    .select(['id', 'messageId', 'nextAttemptAt'])
    .where('channel', '=', 'email')
    .where('recipient', '=', recipient)
    .where('status', '=', 'pending')
    .where('attempts', '=', 0)
    .where('claimedUntil', 'is', null)
    .where('nextAttemptAt', '>', now)
    .orderBy('nextAttemptAt')
    .forUpdate()
    .execute()
  const first = rows[0]
  if (!first) return undefined
  const same = rows.filter((r) => r.messageId === first.messageId)
  return { messageId: first.messageId, dueAt: first.nextAttemptAt as Date, ids: same.map((r) => r.id) }
}

/** Gives every notification of a message the Message-ID of its grown set. */
export async function renameMessage(
  trx: Transaction<NotifyDatabase>,
  from: string,
  to: string,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('notify.notifications')
    .set({ messageId: to, updatedAt: now })
    .where('messageId', '=', from)
    .where('status', '=', 'pending')
    .where('attempts', '=', 0)
    .execute()
}

/** The events of a message's notifications, as they were received, by event id. */
export async function storedEventPayloads(
  db: Db,
  eventIds: readonly string[],
): Promise<Map<string, unknown>> {
  if (eventIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('notify.events')
    .select(['id', 'payload'])
    .where('id', 'in', [...eventIds])
    .execute()
  return new Map(rows.map((r) => [r.id, r.payload]))
}
