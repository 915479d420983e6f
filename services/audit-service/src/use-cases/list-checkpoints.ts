import { type Actor, decodeCursor, pageOf, recordAudit } from '@verwijsindex/shared'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { listCheckpoints } from '../db/checkpoints.js'
import type { AuditDatabase } from '../db/schema.js'
import {
  AUDIT_CHAIN,
  type Checkpoint,
  type CheckpointSigner,
  checkpointMessage,
  statementOf,
} from '../domain/chain.js'
import type { PageQuery } from './query-events.js'

export interface CheckpointPage {
  algorithm: 'Ed25519'
  keyId: string
  /** SPKI PEM. */
  publicKey: string
  /** The key ring, current key first: checkpoints signed by any of them verify. */
  keys: { keyId: string; publicKey: string }[]
  /** Each with the exact text its signature covers. */
  items: (Checkpoint & { message: string })[]
  nextCursor: string | null
}

/** Signed chain heads, newest first, with the public key to check them. */
export async function listSignedCheckpoints(
  db: Kysely<AuditDatabase>,
  actor: Actor,
  signer: CheckpointSigner,
  page: PageQuery,
): Promise<CheckpointPage> {
  const before = decodeCursor(page.cursor, z.number().int().positive())
  const rows = await db.transaction().execute(async (trx) => {
    const found = await listCheckpoints(trx, before, page.limit + 1)
    await recordAudit(trx, actor, 'audit.checkpoints', { resource: { type: AUDIT_CHAIN, id: null } })
    return found
  })
  const { items, nextCursor } = pageOf(rows, page.limit, (c) => c.id)
  return {
    algorithm: 'Ed25519',
    keyId: signer.keyId,
    publicKey: signer.publicKeyPem,
    keys: signer.keys.map((k) => ({ keyId: k.keyId, publicKey: k.publicKeyPem })),
    items: items.map((c) => ({ ...c, message: checkpointMessage(statementOf(c)) })),
    nextCursor,
  }
}
