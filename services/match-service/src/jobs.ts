import { amsterdamDate, purgeIdempotencyKeys, recordAudit, serviceActor } from '@verwijsindex/shared'
import { sql, type Transaction } from 'kysely'
import type { MatchContext } from './commands.js'
import {
  type CoordinationChange,
  coordinationEvents,
  dueEscalation,
  reachEscalation,
  reevaluate,
} from './coordination.js'
import type { Coordination, MatchDatabase } from './db/schema.js'
import { activeEventParties, publish } from './events.js'
import { destroyAtAgeLimit, expireRegistrations, purgeArchive, remindEndingSoon } from './lifecycle.js'

export const JOBS = {
  coordinationDeadlines: 'coordination-deadlines',
  birthdays: 'coordination-birthdays',
  registrationExpiry: 'registration-expiry',
  ageLimit: 'subject-age-limit',
  archivePurge: 'archive-purge',
  endingReminders: 'registration-ending-reminders',
} as const

/**
 * Raises the escalation ladder of every proposed or unassigned coordination whose step deadlines have
 * passed on `now`. Rows are claimed with SKIP LOCKED in one transaction each, so replicas running the job
 * at once split the work, and a rerun after a crash does only what is left.
 */
export async function runCoordinationDeadlines(ctx: MatchContext, now: Date): Promise<number> {
  const candidates = await ctx.db
    .selectFrom('match.coordinations')
    .select('matchId')
    .where('status', 'in', ['proposed', 'unassigned'])
    .execute()
  let raised = 0
  for (const { matchId } of candidates) {
    await ctx.db.transaction().execute(async (trx) => {
      const c = (await trx
        .selectFrom('match.coordinations')
        .selectAll()
        .where('matchId', '=', matchId)
        .where('status', 'in', ['proposed', 'unassigned'])
        .forUpdate()
        .skipLocked()
        .executeTakeFirst()) as Coordination | undefined
      if (!c) return
      const level = await dueEscalation(trx, c, now)
      if (level <= c.escalationLevel) return
      const changes = await reachEscalation(trx, c, level, now, 'deadline')
      await finish(ctx, trx, changes, c.subjectKey, now)
      raised++
    })
  }
  return raised
}

/** Re-evaluates the matches of children whose birthday is today: an age boundary may have been crossed. */
export async function reevaluateBirthdays(ctx: MatchContext, now: Date): Promise<number> {
  const monthDay = amsterdamDate(now).slice(5)
  const matches = await ctx.db
    .selectFrom('match.matches as m')
    .innerJoin('match.subjects as s', 's.subjectKey', 'm.subjectKey')
    .select('m.id')
    .where('m.status', '=', 'open')
    .where(sql<string>`to_char(s.birth_date, 'MM-DD')`, '=', monthDay)
    .execute()
  let changed = 0
  for (const { id } of matches) {
    await ctx.db.transaction().execute(async (trx) => {
      const changes = await reevaluate(trx, id, now)
      const subject = await trx
        .selectFrom('match.matches')
        .select('subjectKey')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
      await finish(ctx, trx, changes, subject.subjectKey, now)
      if (changes.length > 0) changed++
    })
  }
  return changed
}

async function finish(
  ctx: MatchContext,
  trx: Transaction<MatchDatabase>,
  changes: CoordinationChange[],
  subjectKey: string,
  now: Date,
) {
  if (changes.length === 0) return
  await publish(
    ctx.boss,
    trx,
    await coordinationEvents(trx, changes, now, (id) => activeEventParties(trx, id)),
  )
  for (const change of changes) {
    await recordAudit(trx, serviceActor('match-service', now), change.type, {
      subjectKey,
      resource: { type: 'match', id: change.matchId },
    })
  }
}

/** Schedules the jobs on pg-boss (every replica may; pg-boss runs each scheduled slot once). */
export async function startJobs(ctx: MatchContext): Promise<void> {
  const { boss, clock } = ctx
  for (const name of Object.values(JOBS)) {
    if (!(await boss.getQueue(name))) await boss.createQueue(name, { name, policy: 'singleton' })
  }
  await boss.schedule(JOBS.coordinationDeadlines, '* * * * *', {}, { tz: 'Europe/Amsterdam' })
  await boss.schedule(JOBS.birthdays, '5 0 * * *', {}, { tz: 'Europe/Amsterdam' })
  await boss.work(JOBS.coordinationDeadlines, async () => {
    await runCoordinationDeadlines(ctx, clock.now())
  })
  await boss.work(JOBS.birthdays, async () => {
    await reevaluateBirthdays(ctx, clock.now())
  })
  await boss.schedule(JOBS.registrationExpiry, '*/5 * * * *', {}, { tz: 'Europe/Amsterdam' })
  await boss.schedule(JOBS.ageLimit, '10 0 * * *', {}, { tz: 'Europe/Amsterdam' })
  await boss.schedule(JOBS.archivePurge, '20 0 * * *', {}, { tz: 'Europe/Amsterdam' })
  await boss.schedule(JOBS.endingReminders, '0 8 * * *', {}, { tz: 'Europe/Amsterdam' })
  await boss.work(JOBS.registrationExpiry, async () => {
    await expireRegistrations(ctx, clock.now())
  })
  await boss.work(JOBS.ageLimit, async () => {
    await destroyAtAgeLimit(ctx, clock.now())
  })
  await boss.work(JOBS.archivePurge, async () => {
    await purgeArchive(ctx, clock.now())
    await purgeIdempotencyKeys(ctx.db, 'match.idempotency_keys', clock.now())
  })
  await boss.work(JOBS.endingReminders, async () => {
    await remindEndingSoon(ctx, clock.now())
  })
}
