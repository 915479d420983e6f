/**
 * `npm run db:roles`: creates one login role per service (least privilege, no superuser) and grants it
 * what its service needs. Idempotent: an existing role keeps its password unless a new one is given.
 * Run it as a role that may create roles, against DATABASE_URL, after `npm run migrate`.
 *
 *   VERWIJSINDEX_ROLE_MATCH / _NOTIFY / _AUDIT / _CONSOLE      role names (default verwijsindex_<service>)
 *   VERWIJSINDEX_ROLE_MATCH_PASSWORD / ...                    passwords (required to create a role)
 */
import { grantServiceRoles } from '@verwijsindex/shared'
import pg from 'pg'

const SERVICES = ['match', 'notify', 'audit', 'console'] as const

const url = process.env.DATABASE_URL
if (!url) {
  process.stderr.write('DATABASE_URL: is required\n')
  process.exit(1)
}

const client = new pg.Client({ connectionString: url, application_name: 'verwijsindex-roles' })
await client.connect()
try {
  for (const service of SERVICES) {
    const variable = `VERWIJSINDEX_ROLE_${service.toUpperCase()}`
    const name = process.env[variable] || `verwijsindex_${service}`
    const password = process.env[`${variable}_PASSWORD`]
    const role = client.escapeIdentifier(name)
    const exists = (await client.query('select 1 from pg_roles where rolname = $1', [name])).rowCount
    const attributes = 'login nosuperuser nocreatedb nocreaterole noreplication nobypassrls'
    if (!exists && !password) throw new Error(`${variable}_PASSWORD: is required to create role ${name}`)
    const withPassword = password ? ` password ${client.escapeLiteral(password)}` : ''
    await client.query(`${exists ? 'alter' : 'create'} role ${role} ${attributes}${withPassword}`)
    await client.query(
      `insert into public.verwijsindex_roles (service, role_name) values ($1, $2)
       on conflict (service) do update set role_name = excluded.role_name`,
      [service, name],
    )
    process.stdout.write(`role ${name} (${service}): ${exists ? 'updated' : 'created'}\n`)
  }
} finally {
  await client.end()
}
await grantServiceRoles(url)
process.stdout.write('grants applied\n')
