import type { SharedTables } from '@verwijsindex/shared'

/** notify-service's tables (schema `notify`), beside the shared audit table it writes to. */
export interface NotifyDatabase extends SharedTables {}
