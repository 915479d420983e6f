import type { AuditEventsTable } from '@verwijsindex/shared'
import { z } from 'zod'

/**
 * An audit.events row as read back: the columns of the shared table every service writes, with the id
 * the database gave it and its time as a Date.
 */
export type StoredAuditEvent = Omit<AuditEventsTable, 'id' | 'occurredAt'> & { id: number; occurredAt: Date }

/**
 * The columns of an audit event in their one order: the CSV export's, and the hash chain's
 * (docs/architecture.md §11), so a third party lines the two up column by column.
 */
export const EVENT_COLUMNS = [
  'id',
  'occurredAt',
  'service',
  'action',
  'outcome',
  'actorId',
  'actorOrganisation',
  'actorRoles',
  'actorOnBehalfOf',
  'subjectKey',
  'resourceType',
  'resourceId',
  'requestId',
  'clientIp',
  'userAgent',
  'purpose',
] as const satisfies readonly (keyof AuditEventsTable)[]

/**
 * The position of an event in a time-ordered list: occurred_at to the microsecond (a JS Date would round
 * it to the millisecond), then the id. Checked in full when it comes back in a cursor: a forged time the
 * database cannot hold (year 0) is the client's mistake, not a server error.
 */
export const eventKeySchema = z.tuple([
  z.iso.datetime({ precision: 6 }).refine((value) => Number(value.slice(0, 4)) >= 1, 'there is no year 0'),
  z.number().int().positive(),
])
export type EventKey = z.infer<typeof eventKeySchema>

/** What the auditor's views act on: the log as a whole. */
export const AUDIT_LOG = { type: 'audit_log', id: null }

/** The audit event as the API shows it (docs/architecture.md): the subject only as its key, never a BSN. */
export const auditEventSchema = z
  .object({
    id: z.number().int().describe("The event's id, in commit order."),
    occurredAt: z.date().describe('When it happened.'),
    service: z.string().describe('The service that recorded it.').meta({ example: 'match-service' }),
    action: z
      .string()
      .describe('What happened: an action of the catalogue in docs/audit-actions.md.')
      .meta({ example: 'match.read' }),
    outcome: z
      .enum(['success', 'denied', 'error'])
      .describe('`success`; `denied`: refused (need to know, role); `error`: failed.'),
    actor: z
      .object({
        id: z.string().nullable().describe("The acting user or system (the token's `sub`); null for a job."),
        organisation: z
          .string()
          .nullable()
          .describe('The organisation it acted for; null for operator roles.'),
        roles: z
          .array(z.string())
          .describe("The token's roles.")
          .meta({ example: ['professional'] }),
        onBehalfOf: z
          .string()
          .nullable()
          .describe('The professional a system token acted for (their email); null otherwise.'),
      })
      .describe('Who acted, for whom, in which role.'),
    subject: z.string().nullable().describe('The subject key (keyed pseudonym of the child), never the BSN.'),
    resource: z
      .object({
        type: z.string().describe('The kind of object.').meta({ example: 'match' }),
        id: z.string().nullable().describe("The object's id; null for a collection or the log itself."),
      })
      .nullable()
      .describe('The object acted on; null when none.'),
    requestId: z.string().nullable().describe('The HTTP request id, to find it in the logs; null for a job.'),
    clientIp: z.string().nullable().describe("The caller's address (the access point); null for a job."),
    userAgent: z.string().nullable().describe("The caller's User-Agent; null when none."),
    purpose: z.string().nullable().describe('The stated purpose, where one is asked (history requests).'),
  })
  .meta({ id: 'AuditEvent' })

export type ApiAuditEvent = z.infer<typeof auditEventSchema>

export function toAuditEvent(row: StoredAuditEvent): ApiAuditEvent {
  return {
    id: row.id,
    occurredAt: row.occurredAt,
    service: row.service,
    action: row.action,
    outcome: row.outcome,
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

/** The export's header row: the event columns, the subject key named as the API names it. */
export const CSV_COLUMNS = EVENT_COLUMNS.map((column) => (column === 'subjectKey' ? 'subject' : column))

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

/** A value as its CSV cell shows it: times in ISO 8601 (UTC), roles separated by spaces. */
function csvValue(value: StoredAuditEvent[(typeof EVENT_COLUMNS)[number]]): string | number | null {
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.join(' ')
  return value
}

export function csvLine(row: StoredAuditEvent): string {
  return `${EVENT_COLUMNS.map((column) => csvCell(csvValue(row[column]))).join(',')}\r\n`
}

export function ndjsonLine(row: StoredAuditEvent): string {
  return `${JSON.stringify(toAuditEvent(row))}\n`
}

/** The export's file name, stamped with the minute it was asked for. */
export function exportFileName(at: Date, format: ExportFormat): string {
  return `audit-events-${at.toISOString().replaceAll(':', '').slice(0, 15)}.${format}`
}
