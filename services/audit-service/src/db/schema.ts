import type { SharedTables } from '@verwijsindex/shared'

/** audit-service's tables (schema `audit`): the events every service writes, and the seal over them. */
export interface AuditDatabase extends SharedTables {}
