/**
 * The queues services meet through. Payloads carry ids, organisations and contacts: never a BSN, subject
 * key, birth date or household data (DESIGN section 3).
 */
export const QUEUES = {
  /** match-service → notify-service: match, coordination, household and registration events. */
  notifications: 'notifications',
} as const

export const ALL_QUEUES: readonly string[] = Object.values(QUEUES)
