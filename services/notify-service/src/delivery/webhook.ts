import dns from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import type { LookupFunction } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { isPublicAddress, type UrlPolicy, webhookUrlProblem } from '../domain/address-policy.js'
import type { DeliveryOutcome } from '../domain/retry.js'

export interface OutgoingWebhook {
  url: string
  secret: string
  /** webhook-id: the notification's id, the same for every attempt. */
  id: string
  timestamp: Date
  body: string
}

export interface WebhookPosterOptions {
  timeoutMs: number
  /** https only in production; public addresses only unless allowed, checked again on every delivery. */
  policy: UrlPolicy
  /** For tests of the guard: resolves a host name like dns.lookup(host, {all: true}). */
  resolve?: (host: string) => Promise<{ address: string; family: number }[]>
}

class BlockedAddressError extends Error {
  readonly code = 'EBLOCKED'
}

const defaultResolve = (host: string) => dns.promises.lookup(host, { all: true, verbatim: true })

/**
 * A `lookup` for the connection itself, so the address that is checked is the address that is dialled:
 * a host that resolves to a public address when the webhook is registered and to 10.0.0.1 at delivery
 * (DNS rebinding) is refused then.
 */
function guardedLookup(resolve: NonNullable<WebhookPosterOptions['resolve']>): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const family = typeof options === 'object' ? options.family : undefined
        const usable = addresses.filter((a) => !family || family === a.family)
        const blocked = usable.find((a) => !isPublicAddress(a.address))
        if (blocked || usable.length === 0) {
          // The addresses themselves stay out of the reason: it reaches the partner in lastError.
          const reason = blocked
            ? `${hostname} resolves to a non-public address`
            : `${hostname} has no address`
          callback(new BlockedAddressError(reason), '', 0)
          return
        }
        if (typeof options === 'object' && options.all) {
          callback(null, usable)
        } else {
          const first = usable[0] as { address: string; family: number }
          callback(null, first.address, first.family)
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    )
  }
}

/** Resolves a host and says whether every address it has is public (production webhook registration). */
export async function hostResolvesPublic(
  host: string,
  resolve: NonNullable<WebhookPosterOptions['resolve']> = defaultResolve,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  let addresses: { address: string; family: number }[]
  try {
    addresses = await resolve(host)
  } catch {
    return { ok: false, reason: `${host} does not resolve` }
  }
  const blocked = addresses.find((a) => !isPublicAddress(a.address))
  if (addresses.length === 0) return { ok: false, reason: `${host} does not resolve` }
  // Not which address: the answer must not turn the index into a resolver of the operator's internal names.
  if (blocked) return { ok: false, reason: `${host} does not resolve to public addresses only` }
  return { ok: true }
}

export function signatureHeaders(webhook: OutgoingWebhook): Record<string, string> {
  return {
    'webhook-id': webhook.id,
    'webhook-timestamp': String(Math.floor(webhook.timestamp.getTime() / 1000)),
    'webhook-signature': new Webhook(webhook.secret).sign(webhook.id, webhook.timestamp, webhook.body),
  }
}

/**
 * POSTs one signed delivery (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`). 2xx is delivered; 410 Gone is permanent (the
 * receiver says stop); any other answer, a timeout or a connection failure is temporary. Redirects are not
 * followed: a redirect could lead anywhere, including into the operator's network.
 */
export async function postWebhook(
  webhook: OutgoingWebhook,
  options: WebhookPosterOptions,
): Promise<DeliveryOutcome> {
  const problem = webhookUrlProblem(webhook.url, options.policy)
  if (problem) return { kind: 'permanent', error: `refused: the URL ${problem}` }
  const url = new URL(webhook.url)
  const client = url.protocol === 'https:' ? https : http
  return new Promise<DeliveryOutcome>((resolve) => {
    let settled = false
    const finish = (outcome: DeliveryOutcome) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(outcome)
    }
    const request = client.request(url, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(webhook.body)),
        'user-agent': 'verwijsindex-notify/1',
        ...signatureHeaders(webhook),
      },
      ...(options.policy.allowPrivate ? {} : { lookup: guardedLookup(options.resolve ?? defaultResolve) }),
    })
    const timer = setTimeout(() => {
      finish({ kind: 'temporary', error: `webhook: no answer within ${options.timeoutMs} ms` })
      request.destroy()
    }, options.timeoutMs)
    request.on('response', (response) => {
      const status = response.statusCode ?? 0
      // The body is not read beyond what arrives; the status says it all.
      response.resume()
      if (status >= 200 && status < 300) finish({ kind: 'sent' })
      else if (status === 410) finish({ kind: 'permanent', error: 'webhook: HTTP 410 Gone' })
      else finish({ kind: 'temporary', error: `webhook: HTTP ${status}` })
    })
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof BlockedAddressError) {
        finish({ kind: 'permanent', error: `refused: ${error.message}` })
      } else {
        finish({
          kind: 'temporary',
          error: `webhook: ${error.code ?? 'error'} ${error.message}`.slice(0, 500),
        })
      }
    })
    request.end(webhook.body)
  })
}
