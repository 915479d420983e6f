import { type Registry, registerDatabaseGauges, type ServiceInfra } from '@verwijsindex/shared'
import { matchFigures } from './db/metrics.js'
import type { MatchDatabase } from './db/schema.js'

/** match-service's gauges on /metrics, read from the database at scrape time. */
export function matchMetrics(registry: Registry, { db, clock }: ServiceInfra<MatchDatabase>): void {
  registerDatabaseGauges(registry, () => matchFigures(db, clock.now()), [
    {
      name: 'verwijsindex_registrations',
      help: 'Registrations held, by status (active, ended) and, for ended ones, the reason they ended',
      labelNames: ['status', 'reason'],
      samples: (f) =>
        f.registrations.map((r) => ({ labels: { status: r.status, reason: r.reason }, value: r.count })),
    },
    {
      name: 'verwijsindex_matches',
      help: 'Matches held, by status (open, closed)',
      labelNames: ['status'],
      samples: (f) => f.matches.map((m) => ({ labels: { status: m.status }, value: m.count })),
    },
    {
      name: 'verwijsindex_coordinations',
      help: 'Care coordinations, by status (proposed, accepted, unassigned, ended)',
      labelNames: ['status'],
      samples: (f) => f.coordinations.map((c) => ({ labels: { status: c.status }, value: c.count })),
    },
    {
      name: 'verwijsindex_coordinations_overdue',
      help: 'Coordinations proposed or unassigned past their deadline (nobody has accepted in time)',
      samples: (f) => [{ value: f.overdue }],
    },
    {
      name: 'verwijsindex_escalations',
      help: 'Coordinations not yet accepted that reached an escalation step, by level',
      labelNames: ['level'],
      samples: (f) => f.escalations.map((e) => ({ labels: { level: String(e.level) }, value: e.count })),
    },
    {
      name: 'verwijsindex_household_probes_suspected',
      help: 'Registrations held whose withdrawal had the pattern of probing a household address (household.probe_suspected in the audit trail names who)',
      samples: (f) => [{ value: f.probesSuspected }],
    },
  ])
}
