import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DevelopmentIdentity } from '@verwijsindex/shared/dev/tokens'
import { type Command, InvalidArgumentError, Option } from 'commander'
import { ROLE_CHOICES } from '../choices.js'
import { CliFailure } from '../connection.js'

/** `.data/` of this checkout, where `npm start` keeps its generated secrets. */
const CHECKOUT_DATA_DIR = fileURLToPath(new URL('../../../../.data/', import.meta.url))

interface TokenOptions {
  organisation?: string
  name?: string
  email?: string
  phone?: string
  lifetime: number
  dataDir: string
  issuer?: string
  audience?: string
}

const positiveInteger = (value: string) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError('give a positive whole number of seconds')
  return n
}

/** JWT_SECRET from the environment, else the secret `npm start` generated under the data directory. */
async function developmentSecret(dataDir: string): Promise<string> {
  if (process.env.JWT_SECRET) return process.env.JWT_SECRET
  const file = path.join(dataDir, 'secrets.json')
  try {
    const secrets = JSON.parse(await readFile(file, 'utf8')) as { JWT_SECRET?: string }
    if (secrets.JWT_SECRET) return secrets.JWT_SECRET
  } catch {
    // Reported below.
  }
  throw new CliFailure(
    `no JWT_SECRET in the environment and none in ${file}: run \`npm start\` once, or set JWT_SECRET`,
  )
}

export function tokenCommand(program: Command): void {
  program
    .command('token')
    .summary('mint a development token')
    .description(
      'Mints a development token (HS256 with the development JWT_SECRET) for an operator role, or for a professional or system of an organisation. Prints only the token, so it can be captured: export VERWIJSINDEX_TOKEN=$(npx verwijsindex token admin). Refused with NODE_ENV=production, where tokens come from the identity provider.',
    )
    .addArgument(program.createArgument('<role>', 'the role the token carries').choices(ROLE_CHOICES))
    .argument('[organisation]', "the organisation's id, for the professional and system roles")
    .option('--name <name>', "the person's or system's name")
    .option('--email <email>', "the professional's email address")
    .option('--phone <phone>', "the professional's phone number")
    .option('--lifetime <seconds>', 'how long the token is valid', positiveInteger, 12 * 3600)
    .option(
      '--data-dir <dir>',
      'where `npm start` keeps secrets.json (when JWT_SECRET is unset)',
      CHECKOUT_DATA_DIR,
    )
    .addOption(new Option('--issuer <iss>', 'the `iss` claim, when the services check it').env('JWT_ISSUER'))
    .addOption(
      new Option('--audience <aud>', 'the `aud` claim, when the services check it').env('JWT_AUDIENCE'),
    )
    .action(async (role: DevelopmentIdentity['role'], organisation: string | undefined, o: TokenOptions) => {
      const organisational = role === 'professional' || role === 'system' || role === 'org_auditor'
      if (organisational && !organisation)
        throw new CliFailure(`the ${role} role needs an organisation id`, 2)
      if (!organisational && organisation) throw new CliFailure(`the ${role} role has no organisation`, 2)
      const identity = (
        organisational
          ? { role, organisation, name: o.name, email: o.email, phone: o.phone }
          : { role, name: o.name }
      ) as DevelopmentIdentity
      // Loaded here, not at start-up: it brings the services' claim rules (zod) along.
      const { DevelopmentTokensRefused, developmentClaims, mintDevelopmentToken } = await import(
        '@verwijsindex/shared/dev/tokens'
      )
      try {
        if (process.env.NODE_ENV === 'production') {
          throw new DevelopmentTokensRefused(
            'development tokens are not minted with NODE_ENV=production: use your identity provider',
          )
        }
        const secret = await developmentSecret(o.dataDir)
        const token = mintDevelopmentToken(developmentClaims(identity), secret, {
          lifetimeSeconds: o.lifetime,
          ...(o.issuer ? { issuer: o.issuer } : {}),
          ...(o.audience ? { audience: o.audience } : {}),
        })
        process.stdout.write(`${token}\n`)
      } catch (error) {
        if (error instanceof DevelopmentTokensRefused) throw new CliFailure(error.message)
        if (error instanceof Error && error.name === 'ZodError') {
          throw new CliFailure(`the token's claims are not valid: ${error.message}`, 2)
        }
        throw error
      }
    })
}
