import { PassThrough, type Readable } from 'node:stream'
import { type Actor, recordAudit } from '@verwijsindex/shared'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import { type EventFilters, exportBatch, setExportTimeouts } from '../db/events.js'
import type { AuditDatabase } from '../db/schema.js'
import { AUDIT_LOG, csvHeader, csvLine, type ExportFormat, ndjsonLine } from '../domain/event.js'
import { scopedFilters } from './query-events.js'

/** Rows fetched per query: what the export holds in memory at most. */
const EXPORT_BATCH_SIZE = 1000

class ExportAborted extends Error {}

/** Resolves once the stream wants more, or throws when the client went away. */
async function write(out: PassThrough, chunk: string): Promise<void> {
  if (out.destroyed) throw new ExportAborted()
  if (out.write(chunk)) return
  await new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done)
      out.off('close', done)
      resolve()
    }
    out.on('drain', done)
    out.on('close', done)
  })
  if (out.destroyed) throw new ExportAborted()
}

/**
 * The export an auditor asks for: recorded before the first byte (once streaming, the answer can no
 * longer be taken back), then streamed.
 */
export async function exportAuditEvents(
  db: Kysely<AuditDatabase>,
  actor: Actor,
  requested: EventFilters,
  format: ExportFormat,
  options: ExportOptions,
): Promise<Readable> {
  const filters = await scopedFilters(db, actor, requested)
  await db.transaction().execute((trx) => recordAudit(trx, actor, 'audit.export', { resource: AUDIT_LOG }))
  return exportEvents(db, filters, format, options)
}

export interface ExportOptions {
  log: FastifyBaseLogger
  /**
   * The export's own limit, instead of the service-wide statement and idle-in-transaction timeouts: each
   * batch is one statement, and between batches the transaction waits on the client (back-pressure).
   */
  timeoutMs: number
}

/**
 * The export as a byte stream with bounded memory: one batch of rows at a time, the next fetched only
 * when the client has taken the previous one (back-pressure), all from one REPEATABLE READ snapshot so
 * a long export is consistent. A client that disconnects ends the transaction.
 */
function exportEvents(
  db: Kysely<AuditDatabase>,
  filters: EventFilters,
  format: ExportFormat,
  { log, timeoutMs }: ExportOptions,
  batchSize = EXPORT_BATCH_SIZE,
): Readable {
  const out = new PassThrough()
  const line = format === 'csv' ? csvLine : ndjsonLine
  const produce = db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      await setExportTimeouts(trx, timeoutMs)
      if (format === 'csv') await write(out, csvHeader())
      let afterId = 0
      for (;;) {
        const rows = await exportBatch(trx, filters, afterId, batchSize)
        let chunk = ''
        for (const row of rows) chunk += line(row)
        if (chunk) await write(out, chunk)
        const last = rows.at(-1)
        if (!last || rows.length < batchSize) break
        afterId = last.id
      }
    })
  produce.then(
    () => out.end(),
    (error: unknown) => {
      if (error instanceof ExportAborted) return
      log.error({ err: error }, 'audit export failed midway')
      out.destroy(error instanceof Error ? error : new Error(String(error)))
    },
  )
  return out
}
