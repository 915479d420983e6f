import { type Caller, call, download, type Query } from './http.js'
import type { AuditEvent, Page } from './types.js'

export interface Checkpoint {
  id: number
  kind: 'seal' | 'purge'
  count: number
  head: string
  sealedAt: string
  keyId: string
}

export interface Verification {
  ok: boolean
  checked: number
  firstBreak: { seq: number | null; eventId: number | null; reason: string; detail: string } | null
  head: { count: number; hash: string }
  checkpointsVerified: number
  unsealed: number
}

/** audit-service's routes: the access log, the subject report, the chain and its checkpoints, export. */
export function auditApi(base: string) {
  return {
    events: (c: Caller, query: Query) =>
      call<Page<AuditEvent>>(c, 'GET', `${base}/v1/audit/events`, { query }),
    subjectReport: (c: Caller, bsn: string, query: Query = {}) =>
      call<Page<AuditEvent>>(c, 'POST', `${base}/v1/audit/subject-report`, { body: { bsn }, query }),
    verify: (c: Caller) => call<Verification>(c, 'GET', `${base}/v1/audit/verify`),
    checkpoints: (c: Caller, query: Query) =>
      call<{ keyId: string; publicKey: string; items: Checkpoint[]; nextCursor: string | null }>(
        c,
        'GET',
        `${base}/v1/audit/checkpoints`,
        { query },
      ),
    export: (c: Caller, query: Query) => download(c, `${base}/v1/audit/export`, query),
  }
}
