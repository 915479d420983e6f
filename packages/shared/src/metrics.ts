import { Gauge, type Registry } from 'prom-client'

/** A sample of a gauge read from the database: its labels (never an organisation's or child's identity). */
export interface Sample {
  labels?: Record<string, string>
  value: number
}

export interface DatabaseGauge<T> {
  /** Prometheus naming: `verwijsindex_<thing>[_<unit>]`, no `_total` (a gauge goes down as well). */
  name: string
  help: string
  labelNames?: readonly string[]
  samples(data: T): Sample[]
}

/** How long one read of the database serves scrapes: several scrapers, or a quick retry, cost one query. */
export const METRICS_CACHE_MS = 5_000

/**
 * Gauges computed from the database at scrape time: `read` runs at most once per METRICS_CACHE_MS (its
 * queries live in the service's db/ folder and are cheap: counts on indexed columns), and every gauge takes
 * its samples from the one result. A failed read leaves the gauges empty for that scrape.
 */
export function registerDatabaseGauges<T>(
  registry: Registry,
  read: () => Promise<T>,
  gauges: readonly DatabaseGauge<T>[],
  cacheMs = METRICS_CACHE_MS,
): void {
  let cached: { at: number; value: Promise<T> } | undefined
  const current = () => {
    const now = Date.now()
    if (!cached || now - cached.at > cacheMs) {
      const value = read()
      cached = { at: now, value }
      value.catch(() => {
        cached = undefined
      })
    }
    return cached.value
  }
  for (const spec of gauges) {
    new Gauge({
      name: spec.name,
      help: spec.help,
      labelNames: spec.labelNames ?? [],
      registers: [registry],
      async collect() {
        this.reset()
        let data: T
        try {
          data = await current()
        } catch {
          return
        }
        for (const sample of spec.samples(data)) {
          if (sample.labels) this.set(sample.labels, sample.value)
          else this.set(sample.value)
        }
      },
    })
  }
}
export type { Registry } from 'prom-client'
