/** The bench's server process: match-service and a bare Fastify route, so load comes from another process. */
import { buildMatchService } from '@verwijsindex/match-service'
import { loadConfig } from '@verwijsindex/shared'
import Fastify from 'fastify'

const config = loadConfig(process.env)
const app = await buildMatchService({ config })
await app.listen({ port: config.ports.match, host: '127.0.0.1' })
const bare = Fastify()
bare.get('/bare', async () => ({ hello: 'world' }))
await bare.listen({ port: Number(process.env.BARE_PORT), host: '127.0.0.1' })
// A clean exit on SIGINT/SIGTERM (closing pools, and writing a --cpu-prof profile when asked for one).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await Promise.all([app.close(), bare.close()])
    process.exit(0)
  })
}
process.stdout.write('bench server ready\n')
