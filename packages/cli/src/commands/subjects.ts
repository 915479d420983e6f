import type { Command } from 'commander'
import { Option } from 'commander'
import {
  CliFailure,
  type ConnectionOptions,
  matchClient,
  printJson,
  unwrap,
  withConnection,
} from '../connection.js'

interface SubjectOptions extends ConnectionOptions {
  bsn?: string
}

interface EraseOptions extends SubjectOptions {
  reason: 'objection' | 'deceased' | 'error'
  yes?: boolean
}

/** A terminal prompt that does not echo what is typed. */
async function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin
  process.stderr.write(question)
  stdin.setRawMode(true)
  stdin.resume()
  stdin.setEncoding('utf8')
  return new Promise((resolve, reject) => {
    let typed = ''
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          done()
          resolve(typed)
          return
        }
        if (ch === '\u0003') {
          done()
          reject(new CliFailure('cancelled', 130))
          return
        }
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1)
        else typed += ch
      }
    }
    const done = () => {
      stdin.off('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
      process.stderr.write('\n')
    }
    stdin.on('data', onData)
  })
}

/** The BSN from --bsn, else a hidden prompt on a terminal, else the first line of stdin. Never printed. */
async function readBsn(o: SubjectOptions): Promise<string> {
  if (o.bsn) return o.bsn.trim()
  if (process.stdin.isTTY) return (await promptHidden('BSN (not shown): ')).trim()
  let text = ''
  for await (const chunk of process.stdin) text += String(chunk)
  const bsn = text.split('\n')[0]?.trim()
  if (!bsn) throw new CliFailure('give the BSN with --bsn or on stdin', 2)
  return bsn
}

const bsnOption = () =>
  new Option('--bsn <bsn>', 'the BSN; prefer stdin or the prompt, which keep it out of the shell history')

export function subjectCommands(program: Command): void {
  const subject = program
    .command('subject')
    .summary('look up and erase what is held on a child (privacy officer)')
    .description(
      "The privacy officer's answers to a parent's or young person's request (AVG art. 15-17); needs a privacy_officer token. The BSN comes from --bsn, stdin (echo 111222333 | verwijsindex subject lookup) or a prompt that does not show it; it is never printed.",
    )

  withConnection(
    subject
      .command('lookup')
      .description('Prints every active and archived registration and match held on the child.')
      .addOption(bsnOption()),
    'match',
  ).action(async (o: SubjectOptions) => {
    printJson(unwrap(await matchClient(o).POST('/subjects/lookup', { body: { bsn: await readBsn(o) } })))
  })

  withConnection(
    subject
      .command('erase')
      .description(
        'Erases everything held on the child except the audit trail (objection, death or error). Asks for --yes: erasure cannot be undone.',
      )
      .addOption(bsnOption())
      .addOption(
        new Option('--reason <reason>', 'why')
          .choices(['objection', 'deceased', 'error'])
          .makeOptionMandatory(),
      )
      .option('--yes', 'confirm the erasure'),
    'match',
  ).action(async (o: EraseOptions) => {
    if (!o.yes) throw new CliFailure('erasure cannot be undone: add --yes to confirm', 2)
    const bsn = await readBsn(o)
    printJson(unwrap(await matchClient(o).POST('/subjects/erase', { body: { bsn, reason: o.reason } })))
  })
}
