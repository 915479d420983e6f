import type { Kysely } from 'kysely'
import type { SharedTables } from './tables.js'

/** Records the key's fingerprint on first use and answers the one stored (the first ever recorded). */
export async function storedFingerprint(db: Kysely<SharedTables>, fingerprint: string): Promise<string> {
  await db
    .insertInto('match.subjectKeyFingerprint')
    .values({ fingerprint })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
  const stored = await db
    .selectFrom('match.subjectKeyFingerprint')
    .select('fingerprint')
    .executeTakeFirstOrThrow()
  return stored.fingerprint
}
