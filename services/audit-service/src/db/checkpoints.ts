import type { Checkpoint, CheckpointStatement } from '../domain/chain.js'
import type { CheckpointsTable, Db } from './schema.js'

const checkpointColumns = [
  'id',
  'kind',
  'count',
  'head',
  'sealedAt',
  'retainedFrom',
  'keyId',
  'signature',
] as const satisfies readonly (keyof CheckpointsTable & keyof Checkpoint)[]

/** The latest purge checkpoint: where the retained chain starts. */
export async function latestPurge(db: Db): Promise<Checkpoint | undefined> {
  return db
    .selectFrom('audit.checkpoints')
    .select(checkpointColumns)
    .where('kind', '=', 'purge')
    .orderBy('count', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
}

/** The snapshot horizon of the latest sealing run (0 before the first). */
export async function latestHorizon(db: Db): Promise<number> {
  const latest = await db
    .selectFrom('audit.checkpoints')
    .select('horizon')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  return latest?.horizon ?? 0
}

export async function insertCheckpoint(
  db: Db,
  checkpoint: CheckpointStatement & { keyId: string; signature: string; horizon: number },
): Promise<Checkpoint> {
  return db
    .insertInto('audit.checkpoints')
    .values(checkpoint)
    .returning(checkpointColumns)
    .executeTakeFirstOrThrow()
}

/** Newest first. */
export async function listCheckpoints(
  db: Db,
  beforeId: number | undefined,
  limit: number,
): Promise<Checkpoint[]> {
  return db
    .selectFrom('audit.checkpoints')
    .select(checkpointColumns)
    .$if(beforeId !== undefined, (qb) => qb.where('id', '<', beforeId as number))
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
}

/** The checkpoints whose count lies in [from, to], in the order they were written. */
export async function checkpointsBetween(db: Db, from: number, to: number): Promise<Checkpoint[]> {
  return db
    .selectFrom('audit.checkpoints')
    .select(checkpointColumns)
    .where('count', '>=', from)
    .where('count', '<=', to)
    .orderBy('id')
    .execute()
}

/** The smallest count of a checkpoint past `count`, if any. */
export async function firstCheckpointBeyond(db: Db, count: number): Promise<number | undefined> {
  const beyond = await db
    .selectFrom('audit.checkpoints')
    .select('count')
    .where('count', '>', count)
    .orderBy('count')
    .limit(1)
    .executeTakeFirst()
  return beyond?.count
}
