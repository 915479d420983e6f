/** The notify bench's figures per phase, and how they are printed. */
import type { Lag, Sample } from './notify-figures.js'

const say = (line = '') => process.stdout.write(`${line}\n`)
const round = (n: number, digits = 1) => Number(n.toFixed(digits))

export interface PhaseResult {
  name: string
  offered: number
  registrations: number
  non2xx: number
  /** Registration latency (ms) under this load. */
  latency: { p50: number; p99: number }
  mailsPerSecond: number
  peakMailsPerSecond: number
  lag: Lag
  /** Seconds from the load's end until nothing waited (null: not within the limit). */
  drainSeconds: number | null
  /** Seconds from the SMTP server's restart until the mail recorded before it was all sent. */
  outageDrainSeconds?: number | null
  cpuMsPerRegistration: { match: number; notify: number }
  samples: Sample[]
}

/** The most mail that arrived in any one second from `from`. */
export function peak(times: number[], from: number): number {
  const perSecond = new Map<number, number>()
  for (const t of times)
    if (t >= from)
      perSecond.set(Math.floor((t - from) / 1000), 1 + (perSecond.get(Math.floor((t - from) / 1000)) ?? 0))
  return Math.max(0, ...perSecond.values())
}

export function report(r: PhaseResult, seconds: number, drainLimit: number): void {
  const backlog = (s: Sample) => s.queued + s.ingesting + s.pending + s.failed
  const every = Math.max(1, Math.round(r.samples.length / 12))
  say(
    `   ${r.registrations} registrations in ${seconds} s (${round(r.registrations / seconds)}/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}); ${r.lag.messages} mails for ${r.lag.notifications} notifications`,
  )
  say(`   mail ${r.mailsPerSecond}/s on average, ${r.peakMailsPerSecond}/s at most`)
  say(
    `   lag event → mail: p50 ${round(r.lag.p50, 2)} s, p99 ${round(r.lag.p99, 2)} s, max ${round(r.lag.max, 2)} s`,
  )
  say(
    `   backlog (queued events + unsent mail) by second: ${r.samples
      .filter((_, i) => i % every === 0)
      .map((s) => `${s.t}:${backlog(s)}`)
      .join(' ')}`,
  )
  say(
    `   delivery reports waiting for match-service: at most ${Math.max(0, ...r.samples.map((s) => s.deliveryReports))}, at the end ${r.samples.at(-1)?.deliveryReports ?? 0}`,
  )
  say(`   drained ${r.drainSeconds === null ? `not within ${drainLimit}` : r.drainSeconds} s after the load`)
  if (r.outageDrainSeconds !== undefined)
    say(`   mail from before the SMTP restart all sent ${r.outageDrainSeconds ?? 'never'} s after it`)
  say(
    `   CPU per registration: match-service ${r.cpuMsPerRegistration.match} ms, notify-service ${r.cpuMsPerRegistration.notify} ms`,
  )
}
