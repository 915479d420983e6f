/** `npm run migrate`: brings DATABASE_URL to the current schema (our SQL files, then pg-boss's). */
import { migrate } from '@verwijsindex/shared'

const url = process.env.DATABASE_URL
if (!url) {
  process.stderr.write('DATABASE_URL: is required\n')
  process.exit(1)
}
await migrate(url, (line) => process.stdout.write(`${line}\n`))
process.stdout.write('database is up to date\n')
