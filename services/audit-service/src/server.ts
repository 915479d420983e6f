import { runService } from '@verwijsindex/shared'
import { auditService } from './app.js'

await runService(auditService)
