import type { Sector } from '@verwijsindex/shared'
import { type Command, Option } from 'commander'
import { SECTOR_CHOICES } from '../choices.js'
import { type ConnectionOptions, matchClient, printJson, unwrap, withConnection } from '../connection.js'

interface CreateOptions extends ConnectionOptions {
  name: string
  sector: Sector
  region: string
  email: string
  mayCoordinate?: boolean
  inactive?: boolean
}

export function organisationCommands(program: Command): void {
  const organisation = program
    .command('organisation')
    .summary('create and deactivate organisations (admin)')
    .description('Creates and deactivates organisations in match-service; needs an admin token.')

  withConnection(
    organisation
      .command('create')
      .description('Adds an organisation with its slug id, name, sector, region and functional mailbox.')
      .argument('<id>', "the organisation's id, a slug such as smw-eindhoven")
      .requiredOption('--name <name>', "the organisation's name")
      .addOption(new Option('--sector <sector>', 'its sector').choices(SECTOR_CHOICES).makeOptionMandatory())
      .requiredOption('--region <code>', 'the region it belongs to, e.g. eindhoven')
      .requiredOption('--email <address>', "the organisation's functional mailbox")
      .option('--may-coordinate', 'it may be designated care coordinator (default: by sector)')
      .option('--no-may-coordinate', 'it may not be designated care coordinator')
      .option('--inactive', 'create it deactivated'),
    'match',
  ).action(async (id: string, o: CreateOptions) => {
    const created = await matchClient(o).POST('/organisations', {
      body: {
        id,
        name: o.name,
        sector: o.sector,
        region: o.region,
        email: o.email,
        ...(o.mayCoordinate === undefined ? {} : { mayCoordinate: o.mayCoordinate }),
        active: !o.inactive,
      },
    })
    printJson(unwrap(created))
  })

  withConnection(
    organisation
      .command('deactivate')
      .description(
        'Deactivates an organisation: its active registrations end, its coordinations are designated anew and its webhooks stop.',
      )
      .argument('<id>', "the organisation's id"),
    'match',
  ).action(async (id: string, o: ConnectionOptions) => {
    const updated = await matchClient(o).PATCH('/organisations/{id}', {
      params: { path: { id } },
      body: { active: false },
    })
    printJson(unwrap(updated))
  })
}
