import { runService } from '@verwijsindex/shared'
import { matchService } from './app.js'

await runService(matchService)
