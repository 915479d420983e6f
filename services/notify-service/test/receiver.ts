import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedRequest {
  method: string
  path: string
  headers: Record<string, string>
  body: string
}

/**
 * A real HTTP endpoint on 127.0.0.1 standing in for a school's or police system's webhook receiver. It
 * answers each request with what `respond` says: a status code, or 'hang' (no answer at all).
 */
export class TestReceiver {
  readonly requests: ReceivedRequest[] = []
  respond: (request: ReceivedRequest, index: number) => number | 'hang' = () => 204
  readonly #server: http.Server

  private constructor() {
    this.#server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const headers: Record<string, string> = {}
        for (const [key, value] of Object.entries(req.headers)) {
          if (typeof value === 'string') headers[key] = value
        }
        const request = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }
        this.requests.push(request)
        const answer = this.respond(request, this.requests.length - 1)
        if (answer === 'hang') return
        res.statusCode = answer
        res.end()
      })
    })
  }

  static async start(): Promise<TestReceiver> {
    const receiver = new TestReceiver()
    await new Promise<void>((resolve) => receiver.#server.listen(0, '127.0.0.1', () => resolve()))
    return receiver
  }

  url(path = '/hooks/verwijsindex'): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}${path}`
  }

  close(): Promise<void> {
    this.#server.closeAllConnections()
    return new Promise((resolve) => this.#server.close(() => resolve()))
  }
}
