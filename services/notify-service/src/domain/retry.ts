/**
 * Exponential backoff with jitter for temporary failures. Attempt n (1-based) waits about
 * 1 min × 3^(n−1), at most 6 hours, between 50% and 100% of that ("equal jitter": a recovering server is
 * not hit by every replica's retries at once, and no wait collapses to nothing). With the default of 8
 * attempts a notification keeps trying for 6 to 12 hours before it is dead.
 */
export const RETRY_BASE_MS = 60_000
export const RETRY_FACTOR = 3
export const RETRY_CAP_MS = 6 * 3600_000

export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * RETRY_FACTOR ** Math.max(0, attempt - 1))
  return Math.round(exponential / 2 + (exponential / 2) * random())
}

/** What one delivery attempt came to. */
export type DeliveryOutcome =
  | { kind: 'sent' }
  /** Worth trying again later: SMTP 4xx, a dropped connection, webhook 5xx or timeout. */
  | { kind: 'temporary'; error: string }
  /** Trying again gets the same answer: SMTP 5xx for the recipient, a webhook that answers 410 Gone. */
  | { kind: 'permanent'; error: string }
  /**
   * The SMTP server could not be reached (connection refused, no such host, no greeting): nothing was
   * handed over, so the attempt is not charged to the notification; mail waits until the server answers.
   */
  | { kind: 'unreachable'; error: string }

export type NextState =
  | { status: 'sent' }
  /** Back to waiting as it was, this attempt not counted (the server was unreachable). */
  | { status: 'deferred'; error: string }
  | { status: 'failed'; nextAttemptAt: Date; error: string }
  | { status: 'dead'; error: string }

/** The state a notification moves to after an attempt (`attempts` already counts this one). */
export function nextState(
  outcome: DeliveryOutcome,
  attempts: number,
  maxAttempts: number,
  now: Date,
  random: () => number = Math.random,
): NextState {
  if (outcome.kind === 'sent') return { status: 'sent' }
  if (outcome.kind === 'permanent') return { status: 'dead', error: outcome.error }
  if (outcome.kind === 'unreachable') return { status: 'deferred', error: outcome.error }
  if (attempts >= maxAttempts) {
    return { status: 'dead', error: `${outcome.error} (gave up after ${attempts} attempts)` }
  }
  return {
    status: 'failed',
    nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts, random)),
    error: outcome.error,
  }
}
