import type { CreatedAtCursor } from '@verwijsindex/shared'
import { type Kysely, sql, type Transaction } from 'kysely'
import type { NotifyDatabase, Webhook } from './schema.js'

type Db = Kysely<NotifyDatabase> | Transaction<NotifyDatabase>

export async function createWebhook(
  trx: Transaction<NotifyDatabase>,
  webhook: { id: string; organisationId: string; url: string; secret: string; createdBy: string },
  now: Date,
): Promise<Webhook> {
  return trx
    .insertInto('notify.webhooks')
    .values({ ...webhook, createdAt: now })
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** Serialises one organisation's registrations until the transaction ends, so its limit holds under concurrent requests. */
export async function lockOrganisationWebhooks(
  trx: Transaction<NotifyDatabase>,
  organisationId: string,
): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`notify.webhooks:${organisationId}`}))`.execute(trx)
}

export async function countActiveWebhooks(db: Db, organisationId: string): Promise<number> {
  const row = await db
    .selectFrom('notify.webhooks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organisationId', '=', organisationId)
    .where('deletedAt', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function getWebhook(db: Db, id: string): Promise<Webhook | undefined> {
  return db.selectFrom('notify.webhooks').selectAll().where('id', '=', id).executeTakeFirst()
}

/** An organisation's active webhooks, oldest first, after the keyset cursor if one is given. */
export async function findWebhooks(
  db: Db,
  organisationId: string,
  after: CreatedAtCursor | undefined,
  limit: number,
): Promise<Webhook[]> {
  let query = db
    .selectFrom('notify.webhooks')
    .selectAll()
    .where('organisationId', '=', organisationId)
    .where('deletedAt', 'is', null)
  if (after) {
    query = query.where((eb) =>
      eb(eb.refTuple('createdAt', 'id'), '>', eb.tuple(new Date(after.createdAt), after.id)),
    )
  }
  return query.orderBy('createdAt').orderBy('id').limit(limit).execute()
}

/** Active webhooks of these organisations: where an event's webhook notifications go. */
export async function activeWebhooksOf(
  db: Db,
  organisationIds: string[],
): Promise<{ id: string; organisationId: string }[]> {
  if (organisationIds.length === 0) return []
  return db
    .selectFrom('notify.webhooks')
    .select(['id', 'organisationId'])
    .where('organisationId', 'in', organisationIds)
    .where('deletedAt', 'is', null)
    .orderBy('createdAt')
    .orderBy('id')
    .execute()
}

/**
 * Deletes a webhook: its secret is wiped, and its notifications not yet delivered are dead with the
 * reason, so nothing is sent to an endpoint its owner withdrew.
 */
export async function markWebhookDeleted(
  trx: Transaction<NotifyDatabase>,
  id: string,
  now: Date,
): Promise<{ cancelled: number }> {
  await trx
    .updateTable('notify.webhooks')
    .set({ deletedAt: now, secret: null })
    .where('id', '=', id)
    .where('deletedAt', 'is', null)
    .execute()
  const cancelled = await trx
    .updateTable('notify.notifications')
    .set({ status: 'dead', lastError: 'webhook deleted', nextAttemptAt: null, updatedAt: now })
    .where('webhookId', '=', id)
    .where('status', 'in', ['pending', 'failed'])
    .executeTakeFirst()
  return { cancelled: Number(cancelled.numUpdatedRows) }
}
