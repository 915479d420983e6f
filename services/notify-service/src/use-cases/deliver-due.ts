import { randomUUID } from 'node:crypto'
import { claimDue, releaseClaims } from '../db/notifications.js'
import type { Notification } from '../db/schema.js'
import type { Channel } from '../domain/notification.js'
import { attemptMessage, type DeliveryDeps, lookUpBatch } from './attempt-delivery.js'
import { OutcomeRecorder, retryWhileUnavailable } from './record-outcomes.js'

/** How long a claim holds. Longer than any attempt can take (SMTP and webhook timeouts are far shorter). */
export const CLAIM_LEASE_MS = 5 * 60_000
/** Messages claimed at once, per message sent side by side (NOTIFY_SEND_CONCURRENCY). */
const CLAIM_PER_SENDER = 5
/** While the SMTP server is unreachable, how often it is asked whether it answers again. */
export const SMTP_PROBE_MS = 2000

/** Counted per message: an e-mail (every notification it carries) or a webhook delivery. */
export interface DeliverySummary {
  attempted: number
  sent: number
  failed: number
  dead: number
  /** E-mail put back, its attempt not counted, because the SMTP server could not be reached. */
  deferred: number
  /** Claims given back unstarted: the worker was stopping, or the SMTP server became unreachable. */
  released: number
}

/**
 * Delivers due notifications (pending, or failed with their next attempt reached), NOTIFY_SEND_CONCURRENCY
 * messages at a time, and stops cleanly: a stopping delivery finishes the attempts under way and gives
 * back the claims it did not start on. When the SMTP server cannot be reached, e-mail waits: it is not
 * claimed (nor charged attempts and backoff) until the server answers again, asked every SMTP_PROBE_MS;
 * then the backlog goes at once. Webhooks go on meanwhile.
 */
export class Delivery {
  readonly #deps: DeliveryDeps
  #stopping = false
  readonly #running = new Set<Promise<unknown>>()
  /** Set while the SMTP server is unreachable: when to ask it again (clock time, ms). */
  #probeMailAt: number | null = null
  #probing: Promise<void> | undefined

  constructor(deps: DeliveryDeps) {
    this.#deps = deps
  }

  get #channels(): Channel[] {
    // Without SMTP_URL e-mail waits (pending, not lost) until the service runs with one.
    return this.#deps.mail && this.#probeMailAt === null ? ['email', 'webhook'] : ['webhook']
  }

  /** Sends every notification due at `now` (default: the clock), in claimed batches, until none is left. */
  deliverDue(now?: Date): Promise<DeliverySummary> {
    const run = this.#deliverDue(now)
    this.#running.add(run)
    return run.finally(() => this.#running.delete(run))
  }

  async #deliverDue(fixedNow: Date | undefined): Promise<DeliverySummary> {
    const deps = this.#deps
    const summary: DeliverySummary = { attempted: 0, sent: 0, failed: 0, dead: 0, deferred: 0, released: 0 }
    const at = () => fixedNow ?? deps.clock.now()
    this.#askMailServer(at())
    const senders = deps.config.notify.sendConcurrency
    while (!this.#stopping) {
      const now = at()
      const token = randomUUID()
      const claimed = await claimDue(deps.db, {
        now,
        leaseUntil: new Date(now.getTime() + CLAIM_LEASE_MS),
        token,
        limit: senders * CLAIM_PER_SENDER,
        channels: this.#channels,
      })
      if (claimed.length === 0) break
      // One message per Message-ID: an e-mail carries every notification of its change (or digest).
      const messages = new Map<string, Notification[]>()
      for (const n of claimed) messages.set(n.messageId, [...(messages.get(n.messageId) ?? []), n])
      const queue = [...messages.values()]
      // Nothing is sent yet: a database that is away is waited for (within the lease), so the claim is not
      // left to run out its lease when the database is back a moment later.
      const lookups = await retryWhileUnavailable(
        deps,
        'read what the claimed messages need',
        claimed.map((n) => n.id),
        () => lookUpBatch(deps, queue),
      )
      const recorder = new OutcomeRecorder(deps, token, at)
      const unstarted: Notification[][] = []
      const sender = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          if (this.#stopping || (next[0]?.channel === 'email' && this.#probeMailAt !== null)) {
            unstarted.push(next)
            continue
          }
          const attempt = await attemptMessage(deps, lookups, next, at())
          if (attempt.outcome.kind === 'unreachable') this.#mailUnreachable(at(), attempt.outcome.error)
          try {
            const status = await recorder.record(attempt)
            summary.attempted++
            summary[status]++
          } catch (error) {
            // The outcome could not be recorded (database gone): the claim stays and its lease runs out,
            // after which the message is tried again — the at-least-once path.
            deps.log.error(
              { err: error, notificationIds: next.map((n) => n.id) },
              'could not record a delivery attempt',
            )
          }
        }
      }
      await Promise.all(Array.from({ length: Math.min(senders, queue.length) }, sender))
      if (unstarted.length > 0) {
        const ids = unstarted.flat().map((n) => n.id)
        summary.released += await retryWhileUnavailable(deps, 'give back unstarted claims', ids, () =>
          releaseClaims(deps.db, ids, token, at()),
        )
      }
    }
    return summary
  }

  #mailUnreachable(now: Date, error: string): void {
    if (this.#probeMailAt === null) {
      this.#deps.log.warn(
        { error },
        `SMTP server unreachable: e-mail waits, asking again every ${SMTP_PROBE_MS / 1000} s`,
      )
    }
    this.#probeMailAt = now.getTime() + SMTP_PROBE_MS
  }

  /**
   * While the SMTP server is unreachable, asks it again once the time has come — in the background, so a
   * server that lets connections hang (up to the connection timeout) does not hold up webhooks meanwhile.
   */
  #askMailServer(now: Date): void {
    const mail = this.#deps.mail
    if (!mail || this.#probeMailAt === null || now.getTime() < this.#probeMailAt || this.#probing) return
    const probe = mail.reachable().then((answers) => {
      if (answers) {
        this.#probeMailAt = null
        this.#deps.log.info('SMTP server answers again: e-mail resumes')
      } else {
        this.#probeMailAt = this.#deps.clock.now().getTime() + SMTP_PROBE_MS
      }
    })
    this.#probing = probe
    this.#running.add(probe)
    void probe.finally(() => {
      this.#probing = undefined
      this.#running.delete(probe)
    })
  }

  get stopping(): boolean {
    return this.#stopping
  }

  /** Attempts under way finish; claims not yet started on are given back. */
  async stop(): Promise<void> {
    this.#stopping = true
    await Promise.allSettled([...this.#running])
  }
}
