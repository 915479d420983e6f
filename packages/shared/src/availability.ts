import type { FastifyInstance } from 'fastify'
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
  // A stalled database must not hang a request until the socket closes (and commit later unseen): past the
  // deadline the client hears 503 and may retry with its Idempotency-Key; the work's transaction still ends
  // on its own connection, so nothing is left half done.
  const deadlines = new WeakMap<object, NodeJS.Timeout>()
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.longRunning) return
    const timer = setTimeout(() => {
      if (reply.sent) return
      request.log.warn('request deadline passed; answering 503')
      sendProblem(
        reply.header('retry-after', String(RETRY_AFTER_SECONDS)),
        'unavailable',
        'The request could not be completed in time; its outcome is unknown, retry with the same Idempotency-Key',
      )
    }, requestDeadlineMs)
    timer.unref()
    deadlines.set(request, timer)
  })
  app.addHook('onResponse', async (request) => clearTimeout(deadlines.get(request)))
  app.addHook('onRequestAbort', async (request) => clearTimeout(deadlines.get(request)))
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
