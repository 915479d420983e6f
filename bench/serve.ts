/**
 * The bench's server process: match-service, audit-service (no workers, as in a replica that only answers
 * requests) and a bare Fastify route, so the load comes from another process.
 */
import { buildAuditService } from '@verwijsindex/audit-service'
import { buildMatchService } from '@verwijsindex/match-service'
import { loadConfig } from '@verwijsindex/shared'
import Fastify from 'fastify'

const config = loadConfig(process.env)
const match = await buildMatchService({ config })
await match.listen({ port: config.ports.match, host: '127.0.0.1' })
const audit = await buildAuditService({ config })
await audit.listen({ port: config.ports.audit, host: '127.0.0.1' })
const bare = Fastify()
bare.get('/bare', async () => ({ hello: 'world' }))
await bare.listen({ port: Number(process.env.BARE_PORT), host: '127.0.0.1' })
// A clean exit on SIGINT/SIGTERM (closing pools, and writing a --cpu-prof profile when asked for one).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await Promise.all([match.close(), audit.close(), bare.close()])
    process.exit(0)
  })
}
process.stdout.write('bench server ready\n')
