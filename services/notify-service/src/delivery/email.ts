import nodemailer, { type NodemailerError } from 'nodemailer'
import type { RenderedEmail } from '../domain/mail/render.js'
import type { Language } from '../domain/notification.js'
import type { DeliveryOutcome } from '../domain/retry.js'

export interface OutgoingEmail extends RenderedEmail {
  to: string
  /** `<id@domain>`: the same for every attempt, so a receiver can drop a duplicate. */
  messageId: string
  language: Language
  notificationId: string
}

export interface MailSender {
  send(email: OutgoingEmail): Promise<DeliveryOutcome>
  /** Whether the server answers now (connect, greeting, EHLO): asked while it was unreachable. */
  reachable(): Promise<boolean>
  close(): void
}

/**
 * SMTP through one pooled nodemailer transport: `connections` long-lived connections (one per message the
 * replica sends at once, NOTIFY_SEND_CONCURRENCY), each carrying many messages, instead of one per mail.
 * SMTP_URL carries everything else, as nodemailer reads it: `smtps://` for implicit TLS on 465, `smtp://`
 * with STARTTLS when the server offers it, and query parameters for the rest (`?requireTLS=true`,
 * `?tls.rejectUnauthorized=false`, `?tls.servername=…`, `?maxConnections=10`); URL options win over the
 * defaults below.
 */
export function createMailSender(smtpUrl: string, mailFrom: string, connections: number): MailSender {
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: connections,
    maxMessages: 100,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    dnsTimeout: 10_000,
    // Messages are built from our own text only; nothing may make nodemailer read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    url: smtpUrl,
  })
  return {
    async send(email) {
      try {
        const info = await transport.sendMail({
          from: mailFrom,
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          messageId: email.messageId,
          headers: {
            // RFC 3834: no out-of-office replies to the index.
            'Auto-Submitted': 'auto-generated',
            'Content-Language': email.language,
            'X-Verwijsindex-Notification': email.notificationId,
          },
        })
        if (info.rejected.length > 0) {
          return {
            kind: 'permanent',
            error: `recipient rejected: ${String(info.response ?? '')}`.slice(0, 500),
          }
        }
        return { kind: 'sent' }
      } catch (error) {
        return classifySmtpError(error as NodemailerError)
      }
    },
    async reachable() {
      return transport.verify().then(
        () => true,
        () => false,
      )
    },
    close() {
      transport.close()
    },
  }
}

/**
 * A server that cannot be reached is unreachable (the mail waits for it, uncharged). Only a 5xx answer
 * about this recipient or this message is permanent (RFC 5321: the same message would get the same
 * answer). A 5xx for the sender or the login is the operator's configuration, which gets fixed, and
 * everything else (4xx, 503, dropped connections, timeouts, TLS) may pass.
 */
export function classifySmtpError(error: NodemailerError): DeliveryOutcome {
  const code = error.responseCode
  const detail = (error.response ?? error.message ?? 'error').replace(/\s+/g, ' ').trim()
  const description = `SMTP ${[error.code, code, error.command].filter(Boolean).join(' ')}: ${detail}`.slice(
    0,
    500,
  )
  if (unreachable(error)) return { kind: 'unreachable', error: description }
  const permanentReply = typeof code === 'number' && code >= 500 && code < 600 && code !== 503
  const aboutRecipientOrMessage =
    error.code === 'EENVELOPE' ? !/^MAIL FROM/i.test(error.command ?? '') : error.code === 'EMESSAGE'
  if (permanentReply && aboutRecipientOrMessage) return { kind: 'permanent', error: description }
  return { kind: 'temporary', error: description }
}

/** Refusals of the connection itself: where these come from, no SMTP conversation began. */
const CONNECT_REFUSALS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])

/**
 * The server could not be reached: no such host, the connection refused, or no greeting in time. Nothing
 * was handed over, unlike a connection dropped later (ECONNECTION, a socket timeout), after which the
 * server may have the message.
 */
function unreachable(error: NodemailerError & { originalCode?: string; timeoutType?: string }): boolean {
  if (error.code === 'EDNS') return true
  if (error.code === 'ESOCKET') return CONNECT_REFUSALS.has(error.originalCode ?? '')
  if (error.code === 'ETIMEDOUT')
    return ['CONNECTION_TIMEOUT', 'GREETING_TIMEOUT'].includes(error.timeoutType ?? '')
  return false
}
