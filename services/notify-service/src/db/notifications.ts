import { type CreatedAtCursor, type NotificationEvent, olderThan } from '@verwijsindex/shared'
import { type Kysely, sql, type Transaction } from 'kysely'
import type { Channel, NotificationStatus } from '../domain/notification.js'
import type { Notification, NotifyDatabase } from './schema.js'

type Db = Kysely<NotifyDatabase> | Transaction<NotifyDatabase>

/** The advisory lock that keeps claims from taking a mail while a digest is growing it. */
const CLAIM_LOCK = 7_270_401

/** Held (shared) by an ingest that may grow a waiting mail; claims take it exclusively. */
export async function holdOffClaims(trx: Transaction<NotifyDatabase>): Promise<void> {
  await sql`select pg_advisory_xact_lock_shared(${CLAIM_LOCK})`.execute(trx)
}

/**
 * Claims up to `limit` due messages for one worker: every notification of each message (an e-mail carries
 * the notifications of one change, or of a digest window, to one address; a webhook delivery is one) gets
 * a lease (claimed_until) and this worker's token, and its attempt is counted now, so a notification that
 * crashes every worker that tries it still runs out of attempts. Claims take turns (an advisory lock), so
 * two workers never split a message between them, and wait for an ingest that is growing a waiting mail.
 * A lease that ran out (its worker died) makes the message claimable again.
 */
export async function claimDue(
  db: Kysely<NotifyDatabase>,
  options: { now: Date; leaseUntil: Date; token: string; limit: number; channels: Channel[] },
): Promise<Notification[]> {
  if (options.channels.length === 0) return []
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${CLAIM_LOCK})`.execute(trx)
    const claimable = sql`status in ('pending', 'failed')
        and next_attempt_at <= ${options.now}
        and (claimed_until is null or claimed_until <= ${options.now})
        and channel = any(${options.channels})`
    const result = await sql<Notification>`
      update notify.notifications
      set claimed_until = ${options.leaseUntil}, claim_token = ${options.token}, attempts = attempts + 1,
        updated_at = ${options.now}
      where message_id in (
        select message_id from notify.notifications
        where ${claimable}
        group by message_id
        order by min(next_attempt_at), message_id
        limit ${options.limit}
      ) and ${claimable}
      returning *`.execute(trx)
    return result.rows
  })
}

export interface AttemptResult {
  id: string
  /** `deferred`: back to waiting as it was, the attempt not counted (the server was unreachable). */
  status: Exclude<NotificationStatus, 'pending'> | 'deferred'
  nextAttemptAt: Date | null
  lastError: string | null
}

/**
 * Records the outcomes of attempts, in one statement; only the claim's holder may (a notification whose
 * lease ran out and was taken by another worker is left alone). Answers the ids that were recorded.
 */
export async function recordAttempts(
  trx: Transaction<NotifyDatabase>,
  results: readonly AttemptResult[],
  token: string,
  now: Date,
): Promise<Set<string>> {
  if (results.length === 0) return new Set()
  const recorded = await sql<{ id: string }>`
    update notify.notifications n set
      status = case when r.status = 'deferred' then n.status else r.status end,
      attempts = case when r.status = 'deferred' then n.attempts - 1 else n.attempts end,
      next_attempt_at = case when r.status = 'deferred' then n.next_attempt_at else r.next_attempt_at end,
      last_error = coalesce(r.last_error, n.last_error),
      sent_at = case when r.status = 'sent' then ${now} else n.sent_at end,
      claimed_until = null, claim_token = null, updated_at = ${now}
    from unnest(
      ${results.map((r) => r.id)}::uuid[], ${results.map((r) => r.status)}::text[],
      ${results.map((r) => r.nextAttemptAt)}::timestamptz[], ${results.map((r) => r.lastError)}::text[]
    ) as r (id, status, next_attempt_at, last_error)
    where n.id = r.id and n.claim_token = ${token}
    returning n.id`.execute(trx)
  return new Set(recorded.rows.map((r) => r.id))
}

/** Gives back claims a stopping worker did not get to; their attempt was not made, so it is not counted. */
export async function releaseClaims(db: Db, ids: string[], token: string, now: Date): Promise<number> {
  if (ids.length === 0) return 0
  const released = await db
    .updateTable('notify.notifications')
    .set((eb) => ({
      claimedUntil: null,
      claimToken: null,
      attempts: eb('attempts', '-', 1),
      updatedAt: now,
    }))
    .where('id', 'in', ids)
    .where('claimToken', '=', token)
    .executeTakeFirst()
  return Number(released.numUpdatedRows)
}

export interface NotificationView extends Notification {
  eventType: NotificationEvent['type']
  matchId: string | null
  registrationId: string | null
  webhookUrl: string | null
}

function viewQuery(db: Db) {
  return db
    .selectFrom('notify.notifications as n')
    .innerJoin('notify.events as e', 'e.id', 'n.eventId')
    .leftJoin('notify.webhooks as w', 'w.id', 'n.webhookId')
    .selectAll('n')
    .select(['e.type as eventType', 'e.matchId', 'e.registrationId', 'w.url as webhookUrl'])
}

export async function getNotification(db: Db, id: string): Promise<NotificationView | undefined> {
  return viewQuery(db).where('n.id', '=', id).executeTakeFirst()
}

export interface NotificationFilter {
  organisationId?: string
  status?: NotificationStatus
  channel?: Channel
  matchId?: string
  eventId?: string
  /** Keyset: (createdAt, id) of the last item of the previous page, newest first. */
  after?: CreatedAtCursor
}

export async function findNotifications(
  db: Db,
  filter: NotificationFilter,
  limit: number,
): Promise<NotificationView[]> {
  let query = viewQuery(db)
  if (filter.organisationId) query = query.where('n.organisationId', '=', filter.organisationId)
  if (filter.status) query = query.where('n.status', '=', filter.status)
  if (filter.channel) query = query.where('n.channel', '=', filter.channel)
  if (filter.matchId) query = query.where('e.matchId', '=', filter.matchId)
  if (filter.eventId) query = query.where('n.eventId', '=', filter.eventId)
  if (filter.after) query = query.where(olderThan('n.createdAt', 'n.id', filter.after))
  return query.orderBy('n.createdAt', 'desc').orderBy('n.id', 'desc').limit(limit).execute()
}

/**
 * A dead notification back in line, with a fresh set of attempts, together with the dead notifications it
 * shares its message with (a mail is sent whole, under one Message-ID).
 */
export async function requeueDead(trx: Transaction<NotifyDatabase>, id: string, now: Date): Promise<boolean> {
  const dead = await trx
    .selectFrom('notify.notifications')
    .select('messageId')
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .executeTakeFirst()
  if (!dead) return false
  const updated = await trx
    .updateTable('notify.notifications')
    .set({
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      claimedUntil: null,
      claimToken: null,
      updatedAt: now,
    })
    .where('messageId', '=', dead.messageId)
    .where('status', '=', 'dead')
    .executeTakeFirst()
  return updated.numUpdatedRows > 0n
}

/**
 * Removes notification records (they hold contact details) created before `cutoff`, then the events no
 * notification refers to any more, then deleted webhooks nothing refers to.
 */
export async function purgeBefore(
  trx: Transaction<NotifyDatabase>,
  cutoff: Date,
): Promise<{ notifications: number; events: number; webhooks: number }> {
  const notifications = await trx
    .deleteFrom('notify.notifications')
    .where('createdAt', '<', cutoff)
    .executeTakeFirst()
  const events = await trx
    .deleteFrom('notify.events as e')
    .where('e.receivedAt', '<', cutoff)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('notify.notifications as n').select('n.id').whereRef('n.eventId', '=', 'e.id'))),
    )
    .executeTakeFirst()
  const webhooks = await trx
    .deleteFrom('notify.webhooks as w')
    .where('w.deletedAt', '<', cutoff)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(selectFrom('notify.notifications as n').select('n.id').whereRef('n.webhookId', '=', 'w.id')),
      ),
    )
    .executeTakeFirst()
  return {
    notifications: Number(notifications.numDeletedRows),
    events: Number(events.numDeletedRows),
    webhooks: Number(webhooks.numDeletedRows),
  }
}
