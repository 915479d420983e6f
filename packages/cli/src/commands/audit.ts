import { createWriteStream } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { type Command, InvalidArgumentError, Option } from 'commander'
import {
  auditClient,
  CliFailure,
  type ConnectionOptions,
  describeProblem,
  printJson,
  unwrap,
  withConnection,
} from '../connection.js'

interface VerifyOptions extends ConnectionOptions {
  count?: number
  head?: string
}

interface ExportOptions extends ConnectionOptions {
  format: 'ndjson' | 'csv'
  output?: string
  organisation?: string
  actor?: string
  action?: string
  outcome?: 'success' | 'denied' | 'error'
  from?: string
  to?: string
}

const count = (value: string) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('give a whole number')
  return n
}

export function auditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .summary('verify the audit chain and export the audit log (auditor)')
    .description('Checks and exports the audit trail kept by audit-service; needs an auditor token.')

  withConnection(
    audit
      .command('verify')
      .description(
        'Recomputes the audit hash chain (optionally against a checkpoint kept elsewhere, --count with --head) and prints the result with the latest signed checkpoint and the public key to check its signature. Exits 3 when the chain is broken.',
      )
      .option('--count <n>', 'the event count of a checkpoint kept elsewhere', count)
      .option('--head <sha256>', 'the head hash of that checkpoint'),
    'audit',
  ).action(async (o: VerifyOptions) => {
    const client = auditClient(o)
    const verification = unwrap(
      await client.GET('/audit/verify', {
        params: {
          query: {
            ...(o.count !== undefined ? { count: o.count } : {}),
            ...(o.head ? { head: o.head } : {}),
          },
        },
      }),
    )
    const checkpoints = unwrap(await client.GET('/audit/checkpoints', { params: { query: { limit: 1 } } }))
    printJson({
      verification,
      latestCheckpoint: checkpoints.items[0] ?? null,
      algorithm: checkpoints.algorithm,
      keyId: checkpoints.keyId,
      publicKey: checkpoints.publicKey,
    })
    if (!verification.ok) throw new CliFailure('the audit chain is broken', 3)
  })

  withConnection(
    audit
      .command('export')
      .description(
        'Streams the audit events (filtered, in id order) as NDJSON or CSV to stdout or a file, e.g. for a SIEM.',
      )
      .addOption(
        new Option('--format <format>', 'output format').choices(['ndjson', 'csv']).default('ndjson'),
      )
      .option('-o, --output <file>', 'write to this file instead of stdout')
      .option('--organisation <id>', 'only events of this acting organisation')
      .option('--actor <sub>', 'only events of this actor')
      .option('--action <action>', 'only this action, e.g. match.read')
      .addOption(
        new Option('--outcome <outcome>', 'only this outcome').choices(['success', 'denied', 'error']),
      )
      .option('--from <instant>', 'from this instant (inclusive), e.g. 2026-03-01T00:00:00Z')
      .option('--to <instant>', 'up to this instant (exclusive)'),
    'audit',
  ).action(async (o: ExportOptions) => {
    const { format, output, organisation, actor, action, outcome, from, to } = o
    const filters = Object.fromEntries(
      Object.entries({ organisation, actor, action, outcome, from, to }).filter(([, v]) => v !== undefined),
    )
    const { data, error, response } = await auditClient(o).GET('/audit/export', {
      params: { query: { format, ...filters } as never },
      parseAs: 'stream',
    })
    if (error !== undefined || !response.ok || !data) throw new CliFailure(describeProblem(error, response))
    const body = Readable.fromWeb(data as unknown as WebReadableStream<Uint8Array>)
    if (output) await pipeline(body, createWriteStream(output, { mode: 0o600 }))
    else await pipeline(body, process.stdout, { end: false })
  })
}
