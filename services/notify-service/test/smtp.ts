import { waitFor } from '@verwijsindex/shared/testing'
import { type ParsedMail, simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface ReceivedMail {
  raw: Buffer
  from: string
  to: string[]
  messageId: string
}

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code })

/**
 * A real SMTP server in-process that can be told to misbehave: refuse everything with a 4xx for a while,
 * reject given recipients with a 5xx, answer slowly, or hold messages (never answer the DATA) once a number
 * of them has been accepted. Only accepted messages are in `received`.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = []
  /** Refuse every MAIL FROM with this reply (e.g. 451), until set back to null. */
  refuse: { code: number; message: string } | null = null
  readonly rejectRecipients = new Set<string>()
  /** Wait this long before accepting each message. */
  delayMs = 0
  /** Once this many messages are accepted, hold every further DATA unanswered. */
  holdAfter: number | null = null
  held = 0
  /** The answers of held messages, given by `release`. */
  readonly #waiting: (() => void)[] = []
  /** Transactions begun (MAIL FROM), refused or not. */
  transactions = 0
  readonly #server: SMTPServer
  #port = 0

  private constructor() {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 500,
      onMailFrom: (_address, _session, callback) => {
        this.transactions++
        if (this.refuse) return callback(smtpError(this.refuse.code, this.refuse.message))
        callback()
      },
      onRcptTo: (address, _session, callback) => {
        if (this.rejectRecipients.has(address.address.toLowerCase())) {
          return callback(smtpError(550, `5.1.1 <${address.address}>: mailbox unavailable`))
        }
        callback()
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = []
        stream.on('data', (chunk: Buffer) => chunks.push(chunk))
        stream.on('end', () => {
          const accept = () => {
            const raw = Buffer.concat(chunks)
            const header = raw.toString('utf8').split(/\r?\n\r?\n/)[0] ?? ''
            const messageId = /^message-id:\s*(<[^>]+>)/im.exec(header)?.[1] ?? ''
            this.received.push({
              raw,
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              messageId,
            })
            callback()
          }
          if (this.holdAfter !== null && this.received.length >= this.holdAfter) {
            // Not answered until `release`: the client waits, as if the server hung after the data.
            this.held++
            this.#waiting.push(accept)
            return
          }
          if (this.delayMs > 0) setTimeout(accept, this.delayMs)
          else accept()
        })
      },
    })
    this.#server.on('error', () => undefined)
  }

  static async start(port = 0): Promise<TestSmtpServer> {
    const smtp = new TestSmtpServer()
    await new Promise<void>((resolve, reject) => {
      smtp.#server.server.once('error', reject)
      smtp.#server.listen(port, '127.0.0.1', () => resolve())
    })
    const address = smtp.#server.server.address()
    smtp.#port = typeof address === 'object' && address ? address.port : port
    return smtp
  }

  get port(): number {
    return this.#port
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.#port}`
  }

  messageIds(): string[] {
    return this.received.map((m) => m.messageId)
  }

  async parsed(): Promise<(ParsedMail & { envelopeTo: string[] })[]> {
    return Promise.all(
      this.received.map(async (m) => Object.assign(await simpleParser(m.raw), { envelopeTo: m.to })),
    )
  }

  /** Stops holding, and accepts the messages held so far. */
  release(): void {
    this.holdAfter = null
    for (let accept = this.#waiting.shift(); accept; accept = this.#waiting.shift()) accept()
  }

  /** Polls until the condition holds: mail arrives in real time, not on the test's clock. */
  waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
    return waitFor(condition, {
      what: 'mail',
      timeoutMs,
      detail: () => `${this.received.length} messages received`,
    })
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()))
  }
}
