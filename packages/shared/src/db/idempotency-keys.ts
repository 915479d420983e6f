import { type Kysely, sql } from 'kysely'

/** Each service keeps its records in its own schema: `<schema>.idempotency_keys`. */
export type IdempotencyTable = 'match.idempotency_keys' | 'notify.idempotency_keys'

export interface IdempotencyRecordKey {
  table: IdempotencyTable
  scope: string
  key: string
}

export interface StoredAnswer {
  requestHash: string
  /** 0 while the first attempt is still running. */
  statusCode: number
  response: unknown
  createdAt: Date
}

/** Claims the key (status 0 = in progress); false when a record for it exists already. */
export async function claimIdempotencyKey<DB>(
  db: Kysely<DB>,
  { table, scope, key }: IdempotencyRecordKey,
  requestHash: string,
  now: Date,
): Promise<boolean> {
  const claimed = await sql`
    insert into ${sql.table(table)} (scope, key, request_hash, status_code, response, created_at)
    values (${scope}, ${key}, ${requestHash}, 0, 'null'::jsonb, ${now})
    on conflict (scope, key) do nothing returning key`.execute(db)
  return claimed.rows.length > 0
}

export async function findIdempotencyRecord<DB>(
  db: Kysely<DB>,
  { table, scope, key }: IdempotencyRecordKey,
): Promise<StoredAnswer | undefined> {
  const { rows } = await sql<StoredAnswer>`
    select request_hash as "requestHash", status_code as "statusCode", response, created_at as "createdAt"
    from ${sql.table(table)} where scope = ${scope} and key = ${key}`.execute(db)
  return rows[0]
}

/** Takes over a claim still in progress since before `claimedBefore` (its attempt died); false if none. */
export async function takeOverAbandonedClaim<DB>(
  db: Kysely<DB>,
  { table, scope, key }: IdempotencyRecordKey,
  claimedBefore: Date,
  now: Date,
): Promise<boolean> {
  const taken = await sql`
    update ${sql.table(table)} set created_at = ${now}
    where scope = ${scope} and key = ${key} and status_code = 0 and created_at <= ${claimedBefore}
    returning key`.execute(db)
  return taken.rows.length > 0
}

export async function saveIdempotentAnswer<DB>(
  db: Kysely<DB>,
  { table, scope, key }: IdempotencyRecordKey,
  statusCode: number,
  responseJson: string,
): Promise<void> {
  await sql`
    update ${sql.table(table)} set status_code = ${statusCode}, response = ${responseJson}::jsonb
    where scope = ${scope} and key = ${key}`.execute(db)
}

/** Frees a claim whose attempt was refused or failed, so a corrected retry may use the key. */
export async function releaseIdempotencyClaim<DB>(
  db: Kysely<DB>,
  { table, scope, key }: IdempotencyRecordKey,
): Promise<void> {
  await sql`delete from ${sql.table(table)} where scope = ${scope} and key = ${key} and status_code = 0`.execute(
    db,
  )
}

export async function deleteIdempotencyRecordsBefore<DB>(
  db: Kysely<DB>,
  table: IdempotencyTable,
  cutoff: Date,
): Promise<number> {
  const result = await sql`delete from ${sql.table(table)} where created_at < ${cutoff}`.execute(db)
  return Number(result.numAffectedRows ?? 0)
}
