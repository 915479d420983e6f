import { type Actor, requireVisible } from '@verwijsindex/shared'
import type { Kysely } from 'kysely'
import { getRegistration } from '../db/registrations.js'
import type { MatchDatabase, Organisation, Registration } from '../db/schema.js'

/** Need to know: another organisation's registration does not exist for the caller (404, audited). */
export async function ownRegistration(
  db: Kysely<MatchDatabase>,
  actor: Actor,
  organisation: Organisation,
  id: string,
): Promise<Registration> {
  return requireVisible(db, actor, {
    resource: { type: 'registration', id },
    row: await getRegistration(db, id),
    visible: (r) => r.organisationId === organisation.id,
    subjectKeyOf: (r) => r.subjectKey,
  })
}
