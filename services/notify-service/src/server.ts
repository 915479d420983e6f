import { runService } from '@verwijsindex/shared'
import { notifyService } from './app.js'

await runService(notifyService)
