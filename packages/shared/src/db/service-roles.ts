import { type Kysely, sql } from 'kysely'

/** Grants the recorded service roles what they need (migration 0025); roles not yet created are skipped. */
export async function applyServiceRoleGrants(db: Kysely<unknown>): Promise<void> {
  await sql`select public.verwijsindex_grant()`.execute(db)
}
