/**
 * The audit subject report (POST /v1/audit/subject-report, the NEN 7513 client view) on a preloaded
 * database: the first page of 200 accesses for children with `REPORT_EVENTS` events each, among the
 * preloaded millions, at an offered `rate` per second (open loop).
 */
import { type OpenLoopFigures, openLoop } from './load.js'
import { REPORT_CHILDREN, REPORT_EVENTS, reportBsn } from './preload-rows.js'
import type { BenchServer } from './server-process.js'

export interface SubjectReportFigures extends OpenLoopFigures {
  children: number
  eventsPerChild: number
  pageSize: number
}

const PAGE = 200

export async function runSubjectReportBench(
  server: BenchServer,
  options: { rate: number; seconds: number },
): Promise<SubjectReportFigures> {
  const request = (i: number) => ({
    method: 'POST' as const,
    path: `/v1/audit/subject-report?limit=${PAGE}`,
    headers: { authorization: `Bearer ${server.auditor()}`, 'content-type': 'application/json' },
    body: JSON.stringify({ bsn: reportBsn(i % REPORT_CHILDREN) }),
  })
  // The children really have a full page and more: otherwise the figure would measure an empty report.
  const first = request(0)
  const res = await fetch(`${server.audit}${first.path}`, { ...first })
  const page = (await res.json()) as { items?: unknown[]; nextCursor?: string | null }
  if (res.status !== 200 || page.items?.length !== PAGE || !page.nextCursor)
    throw new Error(`subject report answered ${res.status} with ${page.items?.length} items`)
  const figures = await openLoop(server.audit, { ...options, next: request })
  return { ...figures, children: REPORT_CHILDREN, eventsPerChild: REPORT_EVENTS, pageSize: PAGE }
}
