import type { FastifyInstance } from 'fastify'
import { runForRequest } from './db/request-scope.js'
import { RETRY_AFTER_SECONDS, sendProblem } from './errors.js'

/**
 * What a client hears when the service cannot serve it: a 503 problem with Retry-After past the request
 * deadline, and while the service shuts down.
 */
export function registerAvailabilityHooks(app: FastifyInstance, requestDeadlineMs: number): void {
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  // A stalled database must not hang a request until the socket closes: past the deadline the client hears
  // 503 and may retry with its Idempotency-Key. The request's work then rolls back instead of committing
  // unseen, as it does when the client leaves (db/request-scope): nothing lands that nobody was told of.
  const work = new WeakMap<object, { timer?: NodeJS.Timeout; controller: AbortController }>()
  app.addHook('onRequest', (request, reply, done) => {
    const controller = new AbortController()
    const entry: { timer?: NodeJS.Timeout; controller: AbortController } = { controller }
    work.set(request, entry)
    if (!request.routeOptions.config?.longRunning) {
      entry.timer = setTimeout(() => {
        if (reply.sent) return
        controller.abort()
        request.log.warn('request deadline passed; answering 503')
        sendProblem(
          reply.header('retry-after', String(RETRY_AFTER_SECONDS)),
          'unavailable',
          'The request could not be completed in time; work not yet committed is rolled back. Retry with the same Idempotency-Key',
        )
      }, requestDeadlineMs)
      entry.timer.unref()
    }
    // The connection closed before the answer was written: the client has gone.
    reply.raw.once('close', () => {
      clearTimeout(entry.timer)
      if (!reply.raw.writableFinished) controller.abort()
    })
    // The hooks and the handler after this one run inside the request's scope.
    runForRequest(controller.signal, done)
  })
  app.addHook('onResponse', async (request) => clearTimeout(work.get(request)?.timer))
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return
    // Shutting down: a load balancer or client should go to another replica, or come back shortly.
    return sendProblem(
      reply.header('retry-after', String(RETRY_AFTER_SECONDS)).header('connection', 'close'),
      'unavailable',
      'The service is shutting down',
    )
  })
}
