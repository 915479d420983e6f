/** What can happen to a match's coordination, as its history records it. */
export const COORDINATION_HISTORY_EVENTS = [
  'proposed',
  'unassigned',
  'accepted',
  'declined',
  'transfer_requested',
  'transfer_declined',
  'transferred',
  'escalated',
  'ended',
] as const
export type CoordinationHistoryEvent = (typeof COORDINATION_HISTORY_EVENTS)[number]
