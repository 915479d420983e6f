import { type Kysely, sql } from 'kysely'
import type { MatchDatabase } from './schema.js'

export interface MatchFigures {
  registrations: { status: string; reason: string; count: number }[]
  matches: { status: string; count: number }[]
  coordinations: { status: string; count: number }[]
  overdue: number
  escalations: { level: number; count: number }[]
  probesSuspected: number
}

/**
 * What /metrics shows of match-service, in one round trip of counts: no organisation or child in any
 * label. Ended registrations are counted while they are held (the archive keeps them five years).
 */
export async function matchFigures(db: Kysely<MatchDatabase>, now: Date): Promise<MatchFigures> {
  const { rows } = await sql<{ figures: MatchFigures }>`
    select json_build_object(
      'registrations', (select coalesce(json_agg(r), '[]') from (
        select status, coalesce(end_reason, '') as reason, count(*)::int as count
        from match.registrations group by 1, 2) r),
      'matches', (select coalesce(json_agg(m), '[]') from (
        select status, count(*)::int as count from match.matches group by 1) m),
      'coordinations', (select coalesce(json_agg(c), '[]') from (
        select status, count(*)::int as count from match.coordinations group by 1) c),
      'overdue', (select count(*)::int from match.coordinations
        where status in ('proposed', 'unassigned') and due_at < ${now}),
      'escalations', (select coalesce(json_agg(e), '[]') from (
        select escalation_level as level, count(*)::int as count from match.coordinations
        where status in ('proposed', 'unassigned') and escalation_level > 0 group by 1) e),
      'probesSuspected', (select count(*)::int from match.registrations where probe_suspected_at is not null)
    ) as figures`.execute(db)
  return (rows[0] as { figures: MatchFigures }).figures
}
