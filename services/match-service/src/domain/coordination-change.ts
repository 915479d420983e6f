import type { NotificationEvent } from '@verwijsindex/shared'

export type CoordinationEventType = Extract<NotificationEvent['type'], `coordination.${string}`>

/** One step of a match's coordination, as the parties and the audit trail hear of it. */
export interface CoordinationChange {
  type: CoordinationEventType
  matchId: string
  /** Organisations to tell beside the parties: the designated one, a transfer's receiver, a step's. */
  tell: string[]
  reason?: string | null
}
