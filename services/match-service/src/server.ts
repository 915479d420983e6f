import { runService } from '@verwijsindex/shared'
import { buildMatchService } from './app.js'

await runService(buildMatchService, (config) => config.ports.match)
