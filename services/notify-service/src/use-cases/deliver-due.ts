import { randomUUID } from 'node:crypto'
import { claimDue, releaseClaims } from '../db/notifications.js'
import type { Notification } from '../db/schema.js'
import type { Channel } from '../domain/notification.js'
import { attemptDelivery, type DeliveryDeps } from './attempt-delivery.js'

/** How long a claim holds. Longer than any attempt can take (SMTP and webhook timeouts are far shorter). */
export const CLAIM_LEASE_MS = 5 * 60_000
/** Notifications claimed at once by one worker, and sent side by side (the SMTP pool has 5 connections). */
const CLAIM_BATCH = 20
const SEND_CONCURRENCY = 5

/** Counted per message: an e-mail (every notification it carries) or a webhook delivery. */
export interface DeliverySummary {
  attempted: number
  sent: number
  failed: number
  dead: number
  /** Claims given back because the worker was stopping. */
  released: number
}

/**
 * Delivers due notifications (pending, or failed with their next attempt reached), and stops cleanly: a
 * stopping delivery finishes the attempts under way and gives back the claims it did not start on.
 */
export class Delivery {
  readonly #deps: DeliveryDeps
  #stopping = false
  readonly #running = new Set<Promise<unknown>>()

  constructor(deps: DeliveryDeps) {
    this.#deps = deps
  }

  get #channels(): Channel[] {
    // Without SMTP_URL e-mail waits (pending, not lost) until the service runs with one.
    return this.#deps.mail ? ['email', 'webhook'] : ['webhook']
  }

  /** Sends every notification due at `now` (default: the clock), in claimed batches, until none is left. */
  deliverDue(now?: Date): Promise<DeliverySummary> {
    const run = this.#deliverDue(now)
    this.#running.add(run)
    return run.finally(() => this.#running.delete(run))
  }

  async #deliverDue(fixedNow: Date | undefined): Promise<DeliverySummary> {
    const deps = this.#deps
    const summary: DeliverySummary = { attempted: 0, sent: 0, failed: 0, dead: 0, released: 0 }
    const at = () => fixedNow ?? deps.clock.now()
    while (!this.#stopping) {
      const now = at()
      const token = randomUUID()
      const claimed = await claimDue(deps.db, {
        now,
        leaseUntil: new Date(now.getTime() + CLAIM_LEASE_MS),
        token,
        limit: CLAIM_BATCH,
        channels: this.#channels,
      })
      if (claimed.length === 0) break
      // One message per Message-ID: an e-mail carries every notification of its change (or digest).
      const messages = new Map<string, Notification[]>()
      for (const n of claimed) messages.set(n.messageId, [...(messages.get(n.messageId) ?? []), n])
      const queue = [...messages.values()]
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          if (this.#stopping) {
            queue.unshift(next)
            return
          }
          try {
            const status = await attemptDelivery(deps, next, token, at)
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
      await Promise.all(Array.from({ length: Math.min(SEND_CONCURRENCY, queue.length) }, worker))
      if (queue.length > 0) {
        summary.released += await releaseClaims(
          deps.db,
          queue.flat().map((n) => n.id),
          token,
          at(),
        )
      }
    }
    return summary
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
