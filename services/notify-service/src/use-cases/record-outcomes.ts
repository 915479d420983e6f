import {
  auditEventOf,
  inTransaction,
  isDatabaseUnavailable,
  type NotificationDelivered,
  QUEUES,
  recordAuditEvents,
  serviceActor,
} from '@verwijsindex/shared'
import { type AttemptResult, recordAttempts } from '../db/notifications.js'
import { type NextState, nextState } from '../domain/retry.js'
import type { Attempt, DeliveryDeps } from './attempt-delivery.js'
import { SERVICE_NAME } from './context.js'

export type AttemptStatus = NextState['status']

interface Waiting {
  attempt: Attempt
  resolve: (status: AttemptStatus) => void
  reject: (error: unknown) => void
}

/** Outcomes recorded in one transaction at most. */
const GROUP_MAX = 200

/**
 * Records the outcomes of one claim's attempts as they finish, many to a transaction ("group commit"):
 * while one group commits, the outcomes finishing meanwhile wait, and go together in the next. A quiet
 * moment records a single outcome at once; a busy one takes one transaction for many, instead of one each.
 * An outcome is lost only with a crash between the send and the commit: a database that is away is waited
 * for (within the claim's lease), and a group that fails for another reason is recorded one by one, so one
 * bad outcome does not leave the others unrecorded (to be sent again when the lease runs out).
 */
export class OutcomeRecorder {
  readonly #deps: DeliveryDeps
  readonly #token: string
  readonly #at: () => Date
  readonly #waiting: Waiting[] = []
  #flushing = false

  constructor(deps: DeliveryDeps, token: string, at: () => Date) {
    this.#deps = deps
    this.#token = token
    this.#at = at
  }

  /** Settles once the attempt's outcome is committed (or could not be). */
  record(attempt: Attempt): Promise<AttemptStatus> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ attempt, resolve, reject })
      if (!this.#flushing) void this.#flush()
    })
  }

  async #flush(): Promise<void> {
    this.#flushing = true
    while (this.#waiting.length > 0) {
      const group = this.#waiting.splice(0, GROUP_MAX)
      try {
        const statuses = await this.#recordGroup(group.map((w) => w.attempt))
        for (const [i, w] of group.entries()) w.resolve(statuses[i] as AttemptStatus)
      } catch (error) {
        if (group.length === 1 || isDatabaseUnavailable(error)) {
          for (const w of group) w.reject(error)
          continue
        }
        for (const w of group) {
          await this.#recordGroup([w.attempt]).then(
            ([status]) => w.resolve(status as AttemptStatus),
            w.reject,
          )
        }
      }
    }
    this.#flushing = false
  }

  async #recordGroup(attempts: Attempt[]): Promise<AttemptStatus[]> {
    const deps = this.#deps
    const now = this.#at()
    // Every notification of a message was claimed, and is recorded, together: they share their attempts.
    const states = attempts.map((a) =>
      nextState(a.outcome, a.message[0]?.attempts ?? 1, deps.config.notify.maxAttempts, now),
    )
    const ids = attempts.flatMap((a) => a.message.map((n) => n.id))
    // Once sent, losing the outcome would send the mail again after the lease, and leave it unaudited. So a
    // database that is away (restart, failover, exhaustion) is waited for, well within the claim's lease.
    await retryWhileUnavailable(deps, 'record an attempt', ids, () => this.#commit(attempts, states, now))
    for (const [i, a] of attempts.entries()) logOutcome(deps, a, states[i] as NextState)
    return states.map((s) => s.status)
  }

  /** The outcome of every notification the attempts carried, and their audit events, in one transaction. */
  async #commit(attempts: Attempt[], states: NextState[], now: Date): Promise<void> {
    const deps = this.#deps
    const results: AttemptResult[] = attempts.flatMap((a, i) => {
      const state = states[i] as NextState
      return a.message.map((n) => ({
        id: n.id,
        status: state.status,
        nextAttemptAt: state.status === 'failed' ? state.nextAttemptAt : null,
        lastError: state.status === 'sent' ? null : state.error,
      }))
    })
    const actor = serviceActor(SERVICE_NAME, now)
    await deps.db.transaction().execute(async (trx) => {
      const recorded = await recordAttempts(trx, results, this.#token, now)
      const delivered: NotificationDelivered[] = []
      const audit = attempts.flatMap((a, i) => {
        const state = states[i] as NextState
        return a.message.map((n) => {
          if (!recorded.has(n.id)) {
            deps.log.warn(
              { notificationId: n.id },
              'claim lease ran out during the attempt; outcome not recorded',
            )
          }
          // The match shows when each party was first told (notifiedAt): match-service hears of it on the
          // queue, in this transaction, so a recorded send is reported exactly when it commits.
          const matchId = a.matchIds.get(n.id)
          if (recorded.has(n.id) && state.status === 'sent' && matchId) {
            delivered.push({ matchId, organisationId: n.organisationId, deliveredAt: now.toISOString() })
          }
          // NEN 7513: a send discloses who is involved with a child; each attempt is in the trail.
          return auditEventOf(actor, 'notification.send', {
            outcome: state.status === 'sent' ? 'success' : 'error',
            resource: { type: 'notification', id: n.id },
            purpose: `${a.eventTypes.get(n.id) ?? 'unknown'} by ${n.channel} to ${n.organisationId}`,
          })
        })
      })
      if (delivered.length > 0 && deps.queue) {
        const jobs = delivered.map((data) => ({ name: QUEUES.deliveries, data, retryLimit: 5 }))
        await (await deps.queue()).insert(jobs, { db: inTransaction(trx) })
      }
      await recordAuditEvents(trx, audit)
    })
  }
}

function logOutcome(deps: DeliveryDeps, attempt: Attempt, state: NextState): void {
  const notificationIds = attempt.message.map((n) => n.id)
  const channel = attempt.message[0]?.channel
  if (state.status === 'sent') {
    deps.log.info({ notificationIds, channel }, 'notification sent')
  } else {
    deps.log.warn(
      { notificationIds, channel, status: state.status, error: state.error },
      'notification not delivered',
    )
  }
}

/** Waits between tries to record an outcome: 0.25 s doubling to 15 s, about 2 minutes in all (lease: 5). */
const RECORD_BACKOFF_MS = [
  250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000, 15_000, 15_000, 15_000, 15_000,
]

export async function retryWhileUnavailable<T>(
  deps: DeliveryDeps,
  what: string,
  notificationIds: string[],
  work: () => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work()
    } catch (error) {
      const wait = RECORD_BACKOFF_MS[attempt]
      if (wait === undefined || !isDatabaseUnavailable(error)) throw error
      deps.log.warn({ err: error, notificationIds, attempt: attempt + 1 }, `could not ${what} yet; retrying`)
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }
}
