import type { NotificationEvent, SharedTables } from '@verwijsindex/shared'
import type { ColumnType, Insertable, Selectable } from 'kysely'
import type { Channel, Language, NotificationStatus } from '../domain/notification.js'

type Timestamp = ColumnType<Date, Date | string, Date | string>

export interface EventsTable {
  id: string
  type: NotificationEvent['type']
  occurredAt: Timestamp
  matchId: string | null
  registrationId: string | null
  payload: ColumnType<NotificationEvent, string, string>
  receivedAt: Timestamp
}

export interface WebhooksTable {
  id: string
  organisationId: string
  url: string
  secret: string | null
  createdAt: Timestamp
  createdBy: string
  deletedAt: Timestamp | null
}

export interface NotificationsTable {
  id: string
  eventId: string
  channel: Channel
  /** The e-mail address (lower case) or the webhook id. */
  recipient: string
  /** The organisation the notification is for: it may read it. */
  organisationId: string
  webhookId: string | null
  /** The Message-ID (e-mail, with angle brackets) or webhook-id: the same for every attempt. */
  messageId: string
  language: Language
  status: NotificationStatus
  attempts: ColumnType<number, number | undefined, number>
  nextAttemptAt: Timestamp | null
  claimedUntil: Timestamp | null
  claimToken: string | null
  lastError: string | null
  createdAt: Timestamp
  updatedAt: Timestamp
  sentAt: Timestamp | null
}

/** notify-service's tables (schema `notify`), beside the shared audit table it writes to. */
export interface NotifyDatabase extends SharedTables {
  'notify.events': EventsTable
  'notify.webhooks': WebhooksTable
  'notify.notifications': NotificationsTable
}

export type StoredEvent = Selectable<EventsTable>
export type Webhook = Selectable<WebhooksTable>
export type Notification = Selectable<NotificationsTable>
export type NewNotification = Insertable<NotificationsTable>

/** Where notify-service keeps Idempotency-Keys and their stored answers. */
export const IDEMPOTENCY_TABLE = 'notify.idempotency_keys'
