import type { Kysely } from 'kysely'
import { openMatchOf } from '../db/matches.js'
import { historyAvailable } from '../db/registrations.js'
import type { MatchDatabase, Organisation, Registration } from '../db/schema.js'
import { coordinationView } from './coordination-view.js'
import { type RegistrationView, toRegistrationView } from './schemas.js'

export async function viewOf(
  db: Kysely<MatchDatabase>,
  registration: Registration,
  organisation: Organisation,
  /** The child's open match id when the caller already knows it (null: none). */
  knownMatchId?: string | null,
  /** Whether other organisations' archived registrations exist, when the caller already knows. */
  knownHistoryAvailable?: boolean,
): Promise<RegistrationView> {
  const matchId =
    knownMatchId !== undefined
      ? knownMatchId
      : registration.status === 'active'
        ? ((await openMatchOf(db, registration.subjectKey))?.id ?? null)
        : null
  const coordination = matchId ? await coordinationView(db, matchId) : null
  return toRegistrationView(
    registration,
    organisation,
    matchId,
    knownHistoryAvailable ??
      (await historyAvailable(db, registration.subjectKey, registration.organisationId)),
    coordination && {
      organisation: coordination.organisation,
      status: coordination.status,
      dueAt: coordination.dueAt,
    },
  )
}
