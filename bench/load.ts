/**
 * The two ways the bench loads a server. Throughput: autocannon's closed loop, a fixed number of
 * connections each sending its next request when the last is answered. Latency at a given load: an open
 * loop, requests sent on a fixed schedule whatever the server does, each latency counted from the
 * moment the schedule meant it to go out — so a server that falls behind shows it in its p99.
 *
 * Why not autocannon's `overallRate` for the open loop: it gives each connection a quota per second and
 * refills all quotas on one-second timers started together, so a second's requests go out in a burst at its
 * start (200 connections × 1 request at once), and its coordinated-omission correction (expected interval
 * 1 / per-connection rate, rounded up to 1 ms) adds a synthetic sample for every millisecond of each
 * latency. Both make the p99 say something about autocannon rather than the server.
 */
import http from 'node:http'
import autocannon from 'autocannon'

export interface Figures {
  /** Answers per second (pgbench: transactions per second). */
  rps: number
  p50: number
  p99: number
  requests: number
  /** Answers that were not 2xx, and connection errors (pgbench: failed transactions). */
  errors: number
  /** CPU milliseconds the server process spent per answer (absent for pgbench). */
  serverCpuMs?: number
  /** CPU milliseconds PostgreSQL spent per answer (absent when its server is on another machine). */
  postgresCpuMs?: number
  /** CPU milliseconds the client spent per answer: the bench's load generator, or pgbench. */
  clientCpuMs?: number
}

export interface OpenLoopFigures extends Figures {
  offered: number
  max: number
}

export interface Request {
  method: 'GET' | 'POST'
  path: string
  headers: Record<string, string>
  body?: string
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

/** Closed loop: `connections` autocannon connections for `seconds`, `next(i)` making the i-th request. */
export async function closedLoop(
  base: string,
  options: { connections: number; seconds: number; next: (i: number) => Request },
): Promise<Figures> {
  let i = 0
  const result = await autocannon({
    url: base,
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        setupRequest: (req) => {
          const { method, path, headers, body } = options.next(i++)
          return { ...req, method, path, headers, ...(body === undefined ? {} : { body }) }
        },
      },
    ],
  })
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.non2xx + result.errors,
  }
}

/** Connections the open loop opens before it starts: more than 200/s ever holds in flight here. */
const WARM_SOCKETS = 16

/**
 * Open loop: `rate` requests per second, evenly spaced, for `seconds`. Each latency runs from the request's
 * scheduled moment to the end of its answer, so a late send (a busy bench process) counts against it too.
 */
export async function openLoop(
  base: string,
  options: { rate: number; seconds: number; next: (i: number) => Request },
): Promise<OpenLoopFigures> {
  const target = new URL(base)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 })
  const total = Math.round(options.rate * options.seconds)
  const interval = 1000 / options.rate
  const latencies: number[] = []
  let errors = 0
  let answered = 0
  const send = (i: number, scheduled: number) =>
    new Promise<void>((resolve) => {
      const { method, path, headers, body } = options.next(i)
      const req = http.request(
        { host: target.hostname, port: target.port, method, path, headers, agent },
        (res) => {
          res.resume()
          res.on('end', () => {
            if (res.statusCode === undefined || res.statusCode >= 300) errors++
            latencies.push(performance.now() - scheduled)
            answered = performance.now()
            resolve()
          })
        },
      )
      req.on('error', () => {
        errors++
        resolve()
      })
      req.end(body)
    })
  // A client that has been sending for a while holds open connections: open them before the clock starts,
  // or the first requests' latencies measure TCP connection set-up instead of the service.
  await Promise.all(
    Array.from(
      { length: WARM_SOCKETS },
      () =>
        new Promise<void>((resolve) =>
          http
            .get({ host: target.hostname, port: target.port, path: '/health/live', agent }, (res) => {
              res.resume()
              res.on('end', resolve)
            })
            .on('error', () => resolve()),
        ),
    ),
  )
  const inFlight: Promise<void>[] = []
  const start = performance.now()
  let sent = 0
  await new Promise<void>((done) => {
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1)
      while (sent < due) {
        inFlight.push(send(sent, start + sent * interval))
        sent++
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()))
      else done()
    }
    tick()
  })
  await Promise.all(inFlight)
  agent.destroy()
  latencies.sort((a, b) => a - b)
  return {
    offered: options.rate,
    rps: latencies.length / ((answered - start) / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1] ?? Number.NaN,
    requests: latencies.length,
    errors,
  }
}
