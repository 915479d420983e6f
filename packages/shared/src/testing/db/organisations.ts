import { type Kysely, sql } from 'kysely'
import { type SharedTables, sharedView } from '../../db/index.js'
import type { Sector } from '../../events.js'

export interface SeedOrganisation {
  id: string
  name?: string
  sector?: string
  email?: string
  active?: boolean
}

/**
 * Organisations as match-service's admin would have created them, for tests of services that only read
 * them (every service refuses a token of an organisation the index does not know). They sit in a bare
 * region `test-region` with no document: enough for the organisation check, not for matching.
 */
export async function seedOrganisations<DB extends SharedTables>(
  db: Kysely<DB>,
  organisations: SeedOrganisation[],
  at = new Date('2026-01-01T00:00:00Z'),
): Promise<void> {
  const view = sharedView(db)
  await sql`insert into match.regions (code, current_version, created_at, updated_at)
    values ('test-region', 1, ${at}, ${at}) on conflict do nothing`.execute(view)
  for (const o of organisations) {
    await view
      .insertInto('match.organisations')
      .values({
        id: o.id,
        name: o.name ?? o.id,
        sector: (o.sector ?? 'other') as Sector,
        regionCode: 'test-region',
        email: o.email ?? `info@${o.id}.example`,
        mayCoordinate: true,
        active: o.active ?? true,
        createdAt: at,
        updatedAt: at,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute()
  }
}
