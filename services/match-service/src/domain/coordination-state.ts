/** The part of a match's coordination its state machine looks at. */
export interface CoordinationState {
  status: 'proposed' | 'accepted' | 'unassigned' | 'ended'
  organisationId: string | null
  pendingTransferTo: string | null
}

/**
 * What an organisation's answer (accept or decline) is about: a handover proposed to it by the accepted
 * coordinator, or the designation proposed to it; undefined when nothing waits for its answer.
 */
export function awaitedAnswer(
  coordination: CoordinationState | undefined,
  organisationId: string,
): 'transfer' | 'proposal' | undefined {
  if (coordination?.status === 'accepted' && coordination.pendingTransferTo === organisationId)
    return 'transfer'
  if (coordination?.status === 'proposed' && coordination.organisationId === organisationId) return 'proposal'
  return undefined
}

/**
 * What a fresh evaluation means for the current coordination: designate (none yet, or a proposal that
 * the rules now give to another), ask the accepted coordinator to hand over (never a silent switch), or
 * nothing.
 */
export function reevaluationOutcome(
  current: CoordinationState | undefined,
  target: string | null,
): 'designate' | 'request_transfer' | 'unchanged' {
  if (!current) return 'designate'
  if (current.status === 'accepted') {
    if (!target || target === current.organisationId || target === current.pendingTransferTo)
      return 'unchanged'
    return 'request_transfer'
  }
  return target === current.organisationId ? 'unchanged' : 'designate'
}
