/**
 * The notify bench's mail server: a real SMTP server (smtp-server) that keeps nothing but counts — each
 * Message-ID and when it arrived — and can be stopped and started again on the same port, for an outage.
 */
import { SMTPServer } from 'smtp-server'

export class CountingSink {
  /** Message-ID → how many times it arrived (more than once is a duplicate). */
  readonly arrivals = new Map<string, number>()
  /** When each message arrived (ms since the epoch), in order. */
  readonly times: number[] = []
  #server: SMTPServer | undefined
  #port = 0

  get port(): number {
    return this.#port
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.#port}`
  }

  get duplicates(): number {
    let extra = 0
    for (const n of this.arrivals.values()) extra += n - 1
    return extra
  }

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      // An outage drops the open connections too, not only the listening socket.
      closeTimeout: 100,
      onData: (stream, _session, callback) => {
        let head = ''
        stream.on('data', (chunk: Buffer) => {
          if (head.length < 8192) head += chunk.toString('utf8')
        })
        stream.on('end', () => {
          const id = /^message-id:\s*(<[^>]+>)/im.exec(head)?.[1] ?? '(none)'
          this.arrivals.set(id, (this.arrivals.get(id) ?? 0) + 1)
          this.times.push(Date.now())
          callback()
        })
      },
    })
    server.on('error', () => undefined)
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject)
      server.listen(this.#port, '127.0.0.1', () => resolve())
    })
    const address = server.server.address()
    if (typeof address === 'object' && address) this.#port = address.port
    this.#server = server
  }

  /** Stops listening and drops the open connections: mail is refused until start(). */
  async stop(): Promise<void> {
    const server = this.#server
    this.#server = undefined
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  /** Messages that arrived in [from, to) (ms since the epoch). */
  between(from: number, to: number): number {
    return this.times.filter((t) => t >= from && t < to).length
  }
}
