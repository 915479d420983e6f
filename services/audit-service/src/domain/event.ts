import type { AuditOutcome } from '@verwijsindex/shared'
import { z } from 'zod'
import type { EventRow } from '../db/events.js'

/** The audit event as the API shows it (DESIGN section 4): the subject only as its key, never a BSN. */
export const auditEventSchema = z
  .object({
    id: z.number().int(),
    occurredAt: z.date(),
    service: z.string(),
    action: z.string(),
    outcome: z.enum(['success', 'denied', 'error']),
    actor: z.object({
      id: z.string().nullable(),
      organisation: z.string().nullable(),
      roles: z.array(z.string()),
      onBehalfOf: z.string().nullable(),
    }),
    subject: z.string().nullable().describe('the subject key (keyed pseudonym of the child), never the BSN'),
    resource: z.object({ type: z.string(), id: z.string().nullable() }).nullable(),
    requestId: z.string().nullable(),
    clientIp: z.string().nullable(),
    userAgent: z.string().nullable(),
    purpose: z.string().nullable(),
  })
  .meta({ id: 'AuditEvent' })

export type ApiAuditEvent = z.infer<typeof auditEventSchema>

export function toAuditEvent(row: EventRow): ApiAuditEvent {
  return {
    id: row.id,
    occurredAt: row.occurredAt,
    service: row.service,
    action: row.action,
    outcome: row.outcome as AuditOutcome,
    actor: {
      id: row.actorId,
      organisation: row.actorOrganisation,
      roles: row.actorRoles,
      onBehalfOf: row.actorOnBehalfOf,
    },
    subject: row.subjectKey,
    resource: row.resourceType === null ? null : { type: row.resourceType, id: row.resourceId },
    requestId: row.requestId,
    clientIp: row.clientIp,
    userAgent: row.userAgent,
    purpose: row.purpose,
  }
}

export type ExportFormat = 'ndjson' | 'csv'

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
}

export const CSV_COLUMNS = [
  'id',
  'occurredAt',
  'service',
  'action',
  'outcome',
  'actorId',
  'actorOrganisation',
  'actorRoles',
  'actorOnBehalfOf',
  'subject',
  'resourceType',
  'resourceId',
  'requestId',
  'clientIp',
  'userAgent',
  'purpose',
] as const

/**
 * RFC 4180 quoting. A cell that a spreadsheet would run as a formula (user agents are chosen by the
 * caller) gets a leading apostrophe, the usual defence when an auditor opens the file in Excel.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return ''
  let text = String(value)
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`
}

export function csvLine(row: EventRow): string {
  const cells = [
    row.id,
    row.occurredAt.toISOString(),
    row.service,
    row.action,
    row.outcome,
    row.actorId,
    row.actorOrganisation,
    row.actorRoles.join(' '),
    row.actorOnBehalfOf,
    row.subjectKey,
    row.resourceType,
    row.resourceId,
    row.requestId,
    row.clientIp,
    row.userAgent,
    row.purpose,
  ]
  return `${cells.map(csvCell).join(',')}\r\n`
}

export function ndjsonLine(row: EventRow): string {
  return `${JSON.stringify(toAuditEvent(row))}\n`
}
