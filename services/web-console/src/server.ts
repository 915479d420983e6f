import { loadConfigOrExit, stopWithSupervisor } from '@verwijsindex/shared'
import closeWithGrace from 'close-with-grace'
import { buildWebConsole } from './app.js'

const config = loadConfigOrExit()
const app = await buildWebConsole({ config })
closeWithGrace({ delay: 10_000 }, async ({ err }) => {
  if (err) app.log.error({ err }, 'shutting down after an error')
  await app.close()
})
stopWithSupervisor()
await app.listen({ port: config.ports.console, host: config.host })
