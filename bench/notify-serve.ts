/**
 * A notify bench server process: match-service (BENCH_SERVICE=match) or notify-service (=notify), each
 * with its workers, as a replica runs them; the bench's load comes from another process.
 */
import { buildMatchService } from '@verwijsindex/match-service'
import { buildNotifyService } from '@verwijsindex/notify-service'
import { loadConfig } from '@verwijsindex/shared'

const config = loadConfig(process.env)
const notify = process.env.BENCH_SERVICE === 'notify'
const app = notify
  ? await buildNotifyService({ config, workers: true })
  : await buildMatchService({ config, workers: true })
await app.listen({ port: notify ? config.ports.notify : config.ports.match, host: '127.0.0.1' })
// A clean exit on SIGTERM: workers stop, pools close, and a --cpu-prof profile is written.
process.once('SIGTERM', async () => {
  await app.close()
  process.exit(0)
})
process.stdout.write('bench server ready\n')
