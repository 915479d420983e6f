import { Command } from 'commander'
import { auditCommands } from './commands/audit.js'
import { explainCommand } from './commands/explain.js'
import { organisationCommands } from './commands/organisations.js'
import { regionCommands } from './commands/regions.js'
import { subjectCommands } from './commands/subjects.js'
import { tokenCommand } from './commands/token.js'
import { CliFailure } from './connection.js'

const program = new Command('verwijsindex')
  .description(
    'Operator commands for the verwijsindex services. Commands that talk to a service take --token (or VERWIJSINDEX_TOKEN) and the service addresses (--match-url, --audit-url, or MATCH_SERVICE_URL, AUDIT_SERVICE_URL; default 127.0.0.1 on the configured ports).',
  )
  .showHelpAfterError()
  .configureHelp({ showGlobalOptions: true })

tokenCommand(program)
organisationCommands(program)
regionCommands(program)
explainCommand(program)
auditCommands(program)
subjectCommands(program)

try {
  await program.parseAsync()
} catch (error) {
  if (error instanceof CliFailure) {
    process.stderr.write(`verwijsindex: ${error.message}\n`)
    process.exitCode = error.exitCode
  } else if (error instanceof TypeError && error.message === 'fetch failed') {
    const cause = (error as { cause?: { message?: string } }).cause?.message
    process.stderr.write(`verwijsindex: cannot reach the service${cause ? `: ${cause}` : ''}\n`)
    process.exitCode = 1
  } else {
    throw error
  }
}
