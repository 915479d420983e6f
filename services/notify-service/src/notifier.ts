import type { PgBoss } from '@verwijsindex/shared'
import type { DeliveryDeps } from './use-cases/attempt-delivery.js'
import { Delivery, type DeliverySummary } from './use-cases/deliver-due.js'
import { type IngestDeps, type IngestSummary, ingestJobs, processEvents } from './use-cases/ingest-events.js'
import { purgeExpired } from './use-cases/purge-expired.js'

export interface NotifierDeps extends DeliveryDeps {
  /** The service's pg-boss, started when first asked for. */
  queue: () => Promise<PgBoss>
}

/**
 * The worker's pieces in one place (processEvents, deliverDue, purgeExpired), so tests drive them with the
 * injectable clock instead of waiting for schedules; worker.ts runs the same use cases on the queue and a
 * timer.
 */
export class Notifier {
  readonly #deps: NotifierDeps
  readonly #delivery: Delivery
  /** Poked after new notifications were recorded or one was re-queued, so the delivery loop runs now. */
  onWork: () => void = () => undefined

  constructor(deps: NotifierDeps) {
    this.#deps = deps
    this.#delivery = new Delivery(deps)
  }

  async #ingestDeps(): Promise<IngestDeps> {
    return { ...this.#deps, boss: await this.#deps.queue(), wake: () => this.onWork() }
  }

  async processEvents(): Promise<IngestSummary> {
    return processEvents(await this.#ingestDeps())
  }

  async ingestJobs(jobs: PgBoss.Job<unknown>[]) {
    return ingestJobs(await this.#ingestDeps(), jobs)
  }

  deliverDue(now?: Date): Promise<DeliverySummary> {
    return this.#delivery.deliverDue(now)
  }

  purgeExpired(now?: Date) {
    return purgeExpired(this.#deps, now)
  }

  /** Stops delivery: attempts under way finish, unstarted claims are given back. */
  stop(): Promise<void> {
    return this.#delivery.stop()
  }

  /** Whether stop was called: no new attempt starts. */
  get stopping(): boolean {
    return this.#delivery.stopping
  }
}
