import { type Registry, registerDatabaseGauges, type ServiceInfra } from '@verwijsindex/shared'
import { unsealedFigures } from './db/metrics.js'
import type { AuditDatabase } from './db/schema.js'

/** audit-service's gauges on /metrics: how far the sealer is behind. */
export function auditMetrics(registry: Registry, { db, clock }: ServiceInfra<AuditDatabase>): void {
  registerDatabaseGauges(registry, () => unsealedFigures(db), [
    {
      name: 'verwijsindex_audit_unsealed_events',
      help: 'Audit events not yet in the hash chain (the sealer runs every minute)',
      samples: (f) => [{ value: f.unsealed }],
    },
    {
      name: 'verwijsindex_audit_sealer_lag_seconds',
      help: 'Age of the oldest audit event not yet sealed; 0 when every event is sealed',
      samples: (f) => [
        { value: f.oldest ? Math.max(0, (clock.now().getTime() - f.oldest.getTime()) / 1000) : 0 },
      ],
    },
  ])
}
