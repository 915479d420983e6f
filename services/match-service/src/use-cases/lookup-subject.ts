import { type Actor, recordAudit, subjectKey } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { matchesOfSubject } from '../db/matches.js'
import { registrationsOfSubject } from '../db/registrations.js'
import { getSubject } from '../db/subjects.js'
import { toMatchView } from '../views/match-view.js'
import { type HeldRegistrationView, type MatchView, toHeldRegistration } from '../views/schemas.js'

export interface SubjectLookup {
  held: boolean
  birthDate: string | null
  /** `household`: whether a (hashed) household address is held; the address itself is not kept. */
  registrations: (HeldRegistrationView & { household: boolean })[]
  matches: MatchView[]
}

/** A privacy officer's answer to a parent's or young person's request (AVG art. 15): everything held on the child. */
export async function lookupSubject(ctx: MatchContext, actor: Actor, bsn: string): Promise<SubjectLookup> {
  const key = subjectKey(bsn, ctx.subjectKeySecret)
  return ctx.db.transaction().execute(async (trx) => {
    const subject = await getSubject(trx, key)
    const registrations = await registrationsOfSubject(trx, key)
    const matches = await matchesOfSubject(trx, key)
    await recordAudit(trx, actor, 'subject.lookup', {
      subjectKey: key,
      resource: { type: 'subject', id: null },
    })
    return {
      held: Boolean(subject),
      birthDate: subject?.birthDate ?? null,
      registrations: registrations.map((r) => ({
        ...toHeldRegistration(r, {
          id: r.organisationId,
          name: r.organisationName,
          sector: r.organisationSector,
        }),
        household: r.householdKey !== null,
      })),
      matches: await Promise.all(matches.map((m) => toMatchView(trx, m, '', ctx.clock.now()))),
    }
  })
}
