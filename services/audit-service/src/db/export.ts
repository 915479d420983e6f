import { PassThrough, type Readable } from 'node:stream'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import { csvHeader, csvLine, type ExportFormat, ndjsonLine } from '../domain/event.js'
import { type EventFilters, exportBatch } from './events.js'
import type { AuditDatabase } from './schema.js'

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
 * The export as a byte stream with bounded memory: one batch of rows at a time, the next fetched only
 * when the client has taken the previous one (back-pressure), all from one REPEATABLE READ snapshot so
 * a long export is consistent. A client that disconnects ends the transaction.
 */
export function exportEvents(
  db: Kysely<AuditDatabase>,
  filters: EventFilters,
  format: ExportFormat,
  log: FastifyBaseLogger,
  batchSize = 1000,
): Readable {
  const out = new PassThrough()
  const line = format === 'csv' ? csvLine : ndjsonLine
  const produce = db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
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
