import {
  type AuditAction,
  amsterdamDate,
  type NotificationEvent,
  recordAudit,
  serviceActor,
} from '@verwijsindex/shared'
import { sql, type Transaction } from 'kysely'
import { type EndReason, endRegistration, type MatchContext } from './commands.js'
import type { MatchDatabase, Registration } from './db/schema.js'
import { publish, registrationEvent } from './events.js'

/** The archive keeps an ended registration this long (Jeugdwet 7.1.4.6, as we read it), then destroys it. */
export const ARCHIVE_YEARS = 5
/** How long before its end a registrant is reminded to withdraw or extend. */
export const REMINDER_DAYS = 30

async function auditJob(
  trx: Transaction<MatchDatabase>,
  action: AuditAction,
  now: Date,
  subjectKey: string | null,
  resource: { type: string; id: string | null } | null,
  purpose?: string,
) {
  await recordAudit(trx, serviceActor('match-service', now), action, {
    subjectKey,
    resource,
    purpose: purpose ?? null,
  })
}

/** The tables that hang from a match (besides its parties). */
const MATCH_DETAIL_TABLES = [
  'match.coordinationHistory',
  'match.matchContacts',
  'match.escalationAccess',
  'match.coordinations',
] as const

/**
 * Destroys everything the index holds on a child except the audit trail (which holds only the subject
 * key): registrations (the archive too), matches and their parties, coordination, household links.
 */
export async function destroySubject(trx: Transaction<MatchDatabase>, subjectKey: string): Promise<void> {
  for (const table of [...MATCH_DETAIL_TABLES, 'match.matchParties'] as const) {
    await trx.deleteFrom(table).where('subjectKey', '=', subjectKey).execute()
  }
  await trx.deleteFrom('match.matches').where('subjectKey', '=', subjectKey).execute()
  await trx.deleteFrom('match.registrations').where('subjectKey', '=', subjectKey).execute()
  await trx.deleteFrom('match.subjects').where('subjectKey', '=', subjectKey).execute()
}

/**
 * Ends every active registration on the child (each through the same path as a withdrawal, so the
 * parties hear that the match ended), then destroys everything. The subject must be locked.
 */
export async function endAndDestroySubject(
  ctx: MatchContext,
  trx: Transaction<MatchDatabase>,
  subjectKey: string,
  reason: EndReason,
  now: Date,
): Promise<Registration[]> {
  const active = await trx
    .selectFrom('match.registrations')
    .selectAll()
    .where('subjectKey', '=', subjectKey)
    .where('status', '=', 'active')
    .orderBy('createdAt')
    .execute()
  for (const registration of active) await endRegistration(ctx, trx, registration, reason, now)
  await destroySubject(trx, subjectKey)
  return active
}

/** Ends registrations whose duration has run out. Each in its own transaction; a rerun does only what is left. */
export async function expireRegistrations(ctx: MatchContext, now: Date): Promise<number> {
  const due = await ctx.db
    .selectFrom('match.registrations')
    .select('id')
    .where('status', '=', 'active')
    .where('endsAt', '<=', now)
    .execute()
  let expired = 0
  for (const { id } of due) {
    await ctx.db.transaction().execute(async (trx) => {
      const registration = await trx
        .selectFrom('match.registrations')
        .selectAll()
        .where('id', '=', id)
        .where('status', '=', 'active')
        .where('endsAt', '<=', now)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst()
      if (!registration) return
      await endRegistration(ctx, trx, registration, 'expired', now)
      await auditJob(trx, 'registration.expire', now, registration.subjectKey, { type: 'registration', id })
      expired++
    })
  }
  return expired
}

/** From the 23rd birthday the index may hold nothing about the child. */
export async function destroyAtAgeLimit(ctx: MatchContext, now: Date): Promise<number> {
  const today = amsterdamDate(now)
  const due = await ctx.db
    .selectFrom('match.subjects')
    .select('subjectKey')
    .where(sql<boolean>`birth_date + interval '23 years' <= ${today}::date`)
    .execute()
  let destroyed = 0
  for (const { subjectKey } of due) {
    await ctx.db.transaction().execute(async (trx) => {
      const locked = await trx
        .selectFrom('match.subjects')
        .select('subjectKey')
        .where('subjectKey', '=', subjectKey)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst()
      if (!locked) return
      await endAndDestroySubject(ctx, trx, subjectKey, 'age_limit', now)
      await auditJob(trx, 'subject.destroy', now, subjectKey, { type: 'subject', id: null }, 'age_limit')
      destroyed++
    })
  }
  return destroyed
}

/** Destroys archived registrations 5 years after they ended, with whatever only they held up. */
export async function purgeArchive(ctx: MatchContext, now: Date): Promise<number> {
  const cutoff = sql<Date>`${now}::timestamptz - make_interval(years => ${ARCHIVE_YEARS})`
  const due = await ctx.db
    .selectFrom('match.registrations')
    .select(['id', 'subjectKey'])
    .where('status', '=', 'ended')
    .where('endedAt', '<=', cutoff)
    .execute()
  let purged = 0
  for (const { id, subjectKey } of due) {
    await ctx.db.transaction().execute(async (trx) => {
      const locked = await trx
        .selectFrom('match.subjects')
        .select('subjectKey')
        .where('subjectKey', '=', subjectKey)
        .forUpdate()
        .executeTakeFirst()
      if (!locked) return
      await trx.deleteFrom('match.matchParties').where('registrationId', '=', id).execute()
      const gone = await trx
        .deleteFrom('match.registrations')
        .where('id', '=', id)
        .where('status', '=', 'ended')
        .returning('id')
        .execute()
      if (gone.length === 0) return
      // Closed matches nobody is left in go too; so does the child once nothing at all is left.
      const empty = await trx
        .selectFrom('match.matches as m')
        .select('m.id')
        .where('m.subjectKey', '=', subjectKey)
        .where('m.status', '=', 'closed')
        .where((eb) =>
          eb.not(
            eb.exists(
              eb.selectFrom('match.matchParties as p').select('p.matchId').whereRef('p.matchId', '=', 'm.id'),
            ),
          ),
        )
        .execute()
      for (const { id: matchId } of empty) {
        for (const table of MATCH_DETAIL_TABLES) {
          await trx.deleteFrom(table).where('matchId', '=', matchId).execute()
        }
        await trx.deleteFrom('match.matches').where('id', '=', matchId).execute()
      }
      const left = await trx
        .selectFrom('match.registrations')
        .select('id')
        .where('subjectKey', '=', subjectKey)
        .limit(1)
        .executeTakeFirst()
      if (!left) await destroySubject(trx, subjectKey)
      await auditJob(trx, 'registration.purge', now, subjectKey, { type: 'registration', id })
      purged++
    })
  }
  return purged
}

/** Reminds each registrant once, 30 days before the end, to withdraw or extend. */
export async function remindEndingSoon(ctx: MatchContext, now: Date): Promise<number> {
  const horizon = new Date(now.getTime() + REMINDER_DAYS * 86_400_000)
  let reminded = 0
  await ctx.db.transaction().execute(async (trx) => {
    const due = await trx
      .updateTable('match.registrations')
      .set({ remindedAt: now })
      .where('status', '=', 'active')
      .where('remindedAt', 'is', null)
      .where('endsAt', '<=', horizon)
      .where('endsAt', '>', now)
      .returningAll()
      .execute()
    const events: NotificationEvent[] = []
    for (const registration of due) {
      events.push(await registrationEvent(trx, registration, 'registration.ending_soon', now))
      await auditJob(trx, 'registration.remind', now, registration.subjectKey, {
        type: 'registration',
        id: registration.id,
      })
    }
    await publish(ctx.boss, trx, events)
    reminded = due.length
  })
  return reminded
}
