import { runService } from '@verwijsindex/shared'
import { buildAuditService } from './app.js'

await runService(buildAuditService, (config) => config.ports.audit)
