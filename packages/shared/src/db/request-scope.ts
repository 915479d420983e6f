import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * The request a piece of database work serves, carried through its async calls: the signal aborts when
 * the client has gone or the request's deadline passed (the client was answered 503 "outcome unknown").
 */
const requestScope = new AsyncLocalStorage<AbortSignal>()

/** Runs `fn` (and everything it starts) as the work of the request `signal` belongs to. */
export function runForRequest<T>(signal: AbortSignal, fn: () => T): T {
  return requestScope.run(signal, fn)
}

/** The message of the error a transaction ends with when its request is gone (never sent to anyone). */
export const ABANDONED = 'the request was abandoned before its transaction committed'

/** Whether the work running here serves a request that is gone: its transaction must not commit. */
export function requestAbandoned(): boolean {
  return requestScope.getStore()?.aborted === true
}
