/** How a notification travels. */
export const CHANNELS = ['email', 'webhook'] as const
export type Channel = (typeof CHANNELS)[number]

/** pending → sent, or failed (another attempt is due) → … → dead (permanent failure or out of attempts). */
export const NOTIFICATION_STATUSES = ['pending', 'sent', 'failed', 'dead'] as const
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number]

/** The languages mail is written in (NOTIFY_LANGUAGE). */
export const LANGUAGES = ['nl', 'en'] as const
export type Language = (typeof LANGUAGES)[number]
