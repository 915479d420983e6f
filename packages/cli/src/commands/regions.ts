import { readdir, readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import {
  CliFailure,
  type ConnectionOptions,
  matchClient,
  printJson,
  unwrap,
  withConnection,
} from '../connection.js'

interface UploadOptions extends ConnectionOptions {
  file?: string
  preset?: string
}

/** services/match-service/presets, where the shipped covenant presets live. */
const presetsDir = async (): Promise<URL> => (await import('@verwijsindex/match-service/demo')).PRESETS_DIR

async function presetNames(): Promise<string[]> {
  return (await readdir(await presetsDir()))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
}

async function readDocument(o: UploadOptions): Promise<unknown> {
  if ((o.file === undefined) === (o.preset === undefined))
    throw new CliFailure('give --file or --preset (one of them)', 2)
  let text: string
  if (o.preset !== undefined) {
    const names = await presetNames()
    if (!names.includes(o.preset))
      throw new CliFailure(`no preset ${o.preset}; presets: ${names.join(', ')}`, 2)
    text = await readFile(new URL(`${o.preset}.json`, await presetsDir()), 'utf8')
  } else {
    text = await readFile(o.file as string, 'utf8').catch((error: Error) => {
      throw new CliFailure(`cannot read ${o.file}: ${error.message}`)
    })
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new CliFailure(`${o.file ?? o.preset} is not JSON: ${(error as Error).message}`)
  }
}

export function regionCommands(program: Command): void {
  const region = program
    .command('region')
    .summary('upload region documents (admin)')
    .description(
      "Uploads a region's covenant document (municipalities, durations, coordination rules, escalation).",
    )

  withConnection(
    region
      .command('upload')
      .description(
        'Stores a new version of the region document, from a JSON file or one of the presets shipped in services/match-service/presets. The service checks it strictly; a refused document prints the pointers into it.',
      )
      .argument('<code>', "the region's code, e.g. eindhoven")
      .option('--file <path>', 'a region document (JSON)')
      .option('--preset <name>', 'a shipped preset: almere, amsterdam, den-haag or eindhoven'),
    'match',
  ).action(async (code: string, o: UploadOptions) => {
    const document = await readDocument(o)
    const stored = await matchClient(o).PUT('/regions/{code}', {
      params: { path: { code } },
      body: document as never,
    })
    const region = unwrap(stored)
    printJson({ code: region.code, version: region.version, createdAt: region.createdAt })
  })

  region
    .command('presets')
    .description('Lists the region presets that can be uploaded with --preset.')
    .action(async () => {
      process.stdout.write(`${(await presetNames()).join('\n')}\n`)
    })
}
