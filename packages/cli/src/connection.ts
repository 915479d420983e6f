import {
  type AuditClient,
  createAuditClient,
  createMatchClient,
  type MatchClient,
} from '@verwijsindex/client'
import { type Command, Option } from 'commander'

/** Where the services listen and who the CLI acts as: options first, then the environment. */
export interface ConnectionOptions {
  token?: string
  matchUrl?: string
  auditUrl?: string
}

/** The options a command that talks to `service` takes: the token and the service's address. */
export function withConnection(command: Command, service: 'match' | 'audit'): Command {
  const env = process.env
  const address =
    service === 'match'
      ? new Option('--match-url <url>', "match-service's address")
          .env('MATCH_SERVICE_URL')
          .default(`http://127.0.0.1:${env.MATCH_SERVICE_PORT || 3001}`)
      : new Option('--audit-url <url>', "audit-service's address")
          .env('AUDIT_SERVICE_URL')
          .default(`http://127.0.0.1:${env.AUDIT_SERVICE_PORT || 3003}`)
  return command
    .addOption(
      new Option('--token <jwt>', 'bearer token to act with').env('VERWIJSINDEX_TOKEN').makeOptionMandatory(),
    )
    .addOption(address)
}

export const matchClient = (o: ConnectionOptions): MatchClient =>
  createMatchClient(o.matchUrl as string, o.token as string)
export const auditClient = (o: ConnectionOptions): AuditClient =>
  createAuditClient(o.auditUrl as string, o.token as string)

/** A failure already explained to the operator; main() exits with its code without a stack trace. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
  }
}

interface ProblemLike {
  title?: string
  status?: number
  detail?: string
  code?: string
  errors?: { pointer?: string; message?: string }[]
}

/** A service's RFC 9457 problem as lines for the terminal: title and status, detail, each error. */
export function describeProblem(problem: unknown, response: Response): string {
  const p: ProblemLike = typeof problem === 'object' && problem !== null ? (problem as ProblemLike) : {}
  const lines = [`${p.title ?? response.statusText ?? 'Request failed'} (${p.status ?? response.status})`]
  if (p.detail) lines.push(p.detail)
  for (const error of p.errors ?? []) lines.push(`  ${error.pointer || '/'}: ${error.message ?? ''}`)
  return lines.join('\n')
}

/** The answer's data, or a CliFailure carrying the problem the service answered. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    throw new CliFailure(describeProblem(result.error, result.response))
  }
  return result.data as T
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}
