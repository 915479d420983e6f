import { type Command, InvalidArgumentError } from 'commander'
import {
  CliFailure,
  type ConnectionOptions,
  matchClient,
  printJson,
  unwrap,
  withConnection,
} from '../connection.js'

interface ExplainOptions extends ConnectionOptions {
  age?: number
  birthDate?: string
  party: { sector: string; organisation?: string }[]
}

const wholeYears = (value: string) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('give a whole number of years')
  return n
}

/** `--party sector` or `--party sector:organisation`, repeatable. */
const collectParty = (value: string, previous: ExplainOptions['party'] = []) => {
  const [sector, organisation, extra] = value.split(':')
  if (!sector || extra !== undefined) throw new InvalidArgumentError('give sector or sector:organisation')
  return [...previous, organisation ? { sector, organisation } : { sector }]
}

export function explainCommand(program: Command): void {
  withConnection(
    program
      .command('explain')
      .summary("explain which coordinator a region's rules designate")
      .description(
        "Asks match-service which care coordinator the region's rules would designate for a hypothetical case, with the trace of every rule. Touches no data. Example: explain eindhoven --age 7 --party school-po --party police",
      )
      .argument('<region>', "the region's code")
      .option('--age <years>', "the child's age in whole years", wholeYears)
      .option('--birth-date <date>', "the child's birth date (YYYY-MM-DD), instead of --age")
      .option('--party <sector[:organisation]>', 'an involved party; repeat for each', collectParty),
    'match',
  ).action(async (region: string, o: ExplainOptions) => {
    if (!o.party?.length) throw new CliFailure('give at least one --party', 2)
    const answer = await matchClient(o).POST('/regions/{code}/explain', {
      params: { path: { code: region } },
      body: {
        ...(o.age !== undefined ? { ageYears: o.age } : {}),
        ...(o.birthDate !== undefined ? { birthDate: o.birthDate } : {}),
        parties: o.party as never,
      },
    })
    printJson(unwrap(answer))
  })
}
