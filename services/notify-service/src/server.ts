import { runService } from '@verwijsindex/shared'
import { buildNotifyService } from './app.js'

await runService(buildNotifyService, (config) => config.ports.notify)
