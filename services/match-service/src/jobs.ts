import {
  ensureQueue,
  purgeIdempotencyKeys,
  QUEUES,
  SCHEDULED_QUEUE_SETTINGS,
  TIME_ZONE,
  work,
  workAll,
} from '@verwijsindex/shared'
import type { MatchContext } from './context.js'
import { destroyAtAgeLimit } from './use-cases/destroy-at-age-limit.js'
import { expireRegistrations } from './use-cases/expire-registrations.js'
import { tellHouseholdsDue } from './use-cases/household-links.js'
import { purgeArchive } from './use-cases/purge-archive.js'
import { runCoordinationDeadlines } from './use-cases/raise-due-escalations.js'
import { recordNotified } from './use-cases/record-notified.js'
import { reevaluateBirthdays } from './use-cases/reevaluate-birthdays.js'
import { freezeClosedMonth } from './use-cases/region-statistics.js'
import { remindEndingSoon } from './use-cases/remind-ending-soon.js'
import { runFollowUp } from './use-cases/run-follow-up.js'

export const JOBS = {
  coordinationDeadlines: 'coordination-deadlines',
  birthdays: 'coordination-birthdays',
  registrationExpiry: 'registration-expiry',
  ageLimit: 'subject-age-limit',
  archivePurge: 'archive-purge',
  endingReminders: 'registration-ending-reminders',
  followUp: 'match-follow-up',
  statisticsMonth: 'statistics-month',
  householdLinksDue: 'household-links-due',
} as const

/** When each job runs (cron, in Amsterdam time) and what it does on the service's clock. */
const SCHEDULE: {
  name: (typeof JOBS)[keyof typeof JOBS]
  cron: string
  run: (ctx: MatchContext, now: Date) => Promise<unknown>
}[] = [
  {
    name: JOBS.coordinationDeadlines,
    cron: '* * * * *',

    run: runCoordinationDeadlines,
  },
  { name: JOBS.birthdays, cron: '5 0 * * *', run: reevaluateBirthdays },
  { name: JOBS.registrationExpiry, cron: '*/5 * * * *', run: expireRegistrations },
  { name: JOBS.ageLimit, cron: '10 0 * * *', run: destroyAtAgeLimit },
  {
    name: JOBS.archivePurge,
    cron: '20 0 * * *',

    run: async (ctx, now) => {
      await purgeArchive(ctx, now)
      await purgeIdempotencyKeys(ctx.db, 'match.idempotency_keys', now)
    },
  },
  { name: JOBS.endingReminders, cron: '0 8 * * *', run: remindEndingSoon },
  { name: JOBS.followUp, cron: '*/5 * * * *', run: runFollowUp },
  // A household registrant hears of its links once they show, a working day after it registered.
  { name: JOBS.householdLinksDue, cron: '*/5 * * * *', run: tellHouseholdsDue },
  // Just after midnight on the 1st: the month that closed is stored as published.
  { name: JOBS.statisticsMonth, cron: '30 0 1 * *', run: freezeClosedMonth },
]

/**
 * Schedules the jobs on pg-boss (every replica may; pg-boss queues each scheduled slot once). The queues
 * are `short` (at most one waiting run), not `singleton`: a singleton queue with a run still active makes
 * every poll of every replica fail on pg-boss's unique index, an error line in the PostgreSQL log each
 * time, and a dead replica's run would hold the queue until it expired. Each job is safe to run beside
 * another (rows are claimed with SKIP LOCKED, one transaction each), so two overlapping runs split the work.
 */
export async function startJobs(ctx: MatchContext): Promise<void> {
  const { boss, clock } = ctx
  for (const job of SCHEDULE) {
    await ensureQueue(boss, job.name, SCHEDULED_QUEUE_SETTINGS[job.name])
  }
  for (const job of SCHEDULE) {
    await boss.schedule(job.name, job.cron, {}, { tz: TIME_ZONE })
    await work(boss, job.name, () => job.run(ctx, clock.now()))
  }
  // notify-service reports deliveries: each party's notifiedAt (a plain queue; replays change nothing).
  await workAll<unknown>(boss, QUEUES.deliveries, 50, async (jobs) => {
    await recordNotified(
      ctx,
      jobs.map((job) => job.data),
    )
  })
}
