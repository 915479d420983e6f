#!/usr/bin/env node
// The `verwijsindex` command from a checkout: runs the CLI's TypeScript sources through tsx with the
// `source` export condition, as `npm run cli` does, from whichever directory it is called.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))
const child = spawn(
  process.execPath,
  ['--conditions=source', '--import', import.meta.resolve('tsx'), main, ...process.argv.slice(2)],
  { stdio: 'inherit' },
)
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0)
})
