import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto'
import { EVENT_COLUMNS, type StoredAuditEvent } from './event.js'

/**
 * The hash chain over the audit trail, as pure functions: what a sealed event's hash covers, and what a
 * checkpoint signs. Third parties recompute both from an export and a checkpoint copy, so the formats
 * here are part of the public contract (docs/architecture.md §11).
 */

/** The resource of the audit events about the chain itself (verifications, checkpoints, purges). */
export const AUDIT_CHAIN = 'audit_chain'

/** The previous hash of the first event ever sealed. */
export const GENESIS_HASH = '0'.repeat(64)

/** Every column of an audit.events row, as the database holds it (time to the microsecond, in UTC). */
export type SealableEvent = Omit<StoredAuditEvent, 'occurredAt'> & {
  occurredAt: string
  /** The inserting transaction (pg_current_xact_id()), which tells the sealer which events it has seen. */
  xactId: number
}

/**
 * A JSON array in a fixed column order: no key order or whitespace to disagree on, and a change to any
 * column (including the id, so events cannot swap places) changes the text.
 */
export function canonicalEvent(event: SealableEvent): string {
  return JSON.stringify([...EVENT_COLUMNS.map((column) => event[column]), event.xactId])
}

/** hash(n) = SHA-256(hash(n-1) "\n" n "\n" canonical(event n)), lower-case hex. */
export function chainHash(prevHash: string, seq: number, event: SealableEvent): string {
  return createHash('sha256')
    .update(`${prevHash}\n${seq}\n${canonicalEvent(event)}`)
    .digest('hex')
}

export type CheckpointKind = 'seal' | 'purge'

export interface CheckpointStatement {
  kind: CheckpointKind
  /** Events sealed since the chain began: the seq of the head. */
  count: number
  head: string
  sealedAt: Date
  /** Purge checkpoints: events that occurred before this instant were removed by retention. */
  retainedFrom: Date | null
}

/** A stored checkpoint: the statement, who signed it and the signature. */
export interface Checkpoint extends CheckpointStatement {
  id: number
  keyId: string
  signature: string
}

export const statementOf = (c: Checkpoint): CheckpointStatement => ({
  kind: c.kind,
  count: c.count,
  head: c.head,
  sealedAt: c.sealedAt,
  retainedFrom: c.retainedFrom,
})

/** The end of the chain: how many events it covers and the hash of the last. */
export interface ChainHead {
  count: number
  hash: string
}

/** Where the retained chain starts: the latest purge checkpoint, or the genesis. */
export function chainBase(purge: Checkpoint | undefined): ChainHead {
  return purge ? { count: purge.count, hash: purge.head } : { count: 0, hash: GENESIS_HASH }
}

export interface Seal {
  seq: number
  eventId: number
  prevHash: string
  hash: string
}

/** Appends events to the chain in the order given: their seals, and the new head. */
export function extendChain(head: ChainHead, events: SealableEvent[]): { seals: Seal[]; head: ChainHead } {
  let current = head
  const seals = events.map((event) => {
    const seq = current.count + 1
    const hash = chainHash(current.hash, seq, event)
    const seal = { seq, eventId: event.id, prevHash: current.hash, hash }
    current = { count: seq, hash }
    return seal
  })
  return { seals, head: current }
}

/** The exact bytes an Ed25519 checkpoint signature covers (UTF-8), one `key: value` per line. */
export function checkpointMessage(statement: CheckpointStatement): string {
  return [
    'verwijsindex audit checkpoint v1',
    `kind: ${statement.kind}`,
    `count: ${statement.count}`,
    `head: ${statement.head}`,
    `sealedAt: ${statement.sealedAt.toISOString()}`,
    ...(statement.retainedFrom ? [`retainedFrom: ${statement.retainedFrom.toISOString()}`] : []),
    '',
  ].join('\n')
}

/**
 * Signs checkpoints with AUDIT_SIGNING_KEY and checks them against the key ring: its own public half and
 * those of earlier keys (AUDIT_PREVIOUS_PUBLIC_KEYS), so checkpoints signed before a rotation still verify.
 */
export interface CheckpointSigner {
  keyId: string
  /** SPKI PEM: what others need to check a checkpoint they keep. */
  publicKeyPem: string
  /** Every key the ring holds, the current one first. */
  keys: { keyId: string; publicKeyPem: string }[]
  /** Whether the ring holds the key with this id. */
  knows(keyId: string): boolean
  sign(statement: CheckpointStatement): string
  /** Checks a signature made by the key `keyId` (default: the current key); false for a key not in the ring. */
  verify(statement: CheckpointStatement, signature: string, keyId?: string): boolean
}

export function publicKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' })
  return createHash('sha256').update(der).digest('hex').slice(0, 16)
}

export function createCheckpointSigner(
  privateKeyPem: string,
  previousPublicKeys: string[] = [],
): CheckpointSigner {
  const privateKey = createPrivateKey(privateKeyPem)
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`AUDIT_SIGNING_KEY must be an Ed25519 key, not ${privateKey.asymmetricKeyType}`)
  }
  const ring = new Map<string, KeyObject>()
  const current = createPublicKey(privateKey)
  const keyId = publicKeyId(current)
  ring.set(keyId, current)
  for (const pem of previousPublicKeys) {
    const publicKey = createPublicKey(pem)
    if (publicKey.asymmetricKeyType !== 'ed25519') {
      throw new Error(`AUDIT_PREVIOUS_PUBLIC_KEYS must hold Ed25519 keys, not ${publicKey.asymmetricKeyType}`)
    }
    ring.set(publicKeyId(publicKey), publicKey)
  }
  const pemOf = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString()
  return {
    keyId,
    publicKeyPem: pemOf(current),
    keys: [...ring].map(([id, key]) => ({ keyId: id, publicKeyPem: pemOf(key) })),
    knows: (id) => ring.has(id),
    sign: (statement) => sign(null, Buffer.from(checkpointMessage(statement)), privateKey).toString('base64'),
    verify: (statement, signature, id = keyId) => {
      const publicKey = ring.get(id)
      if (!publicKey) return false
      try {
        return verify(
          null,
          Buffer.from(checkpointMessage(statement)),
          publicKey,
          Buffer.from(signature, 'base64'),
        )
      } catch {
        return false
      }
    },
  }
}

/** A checkpoint ready to store: the statement with its signature and the key that made it. */
export function signCheckpoint(signer: CheckpointSigner, statement: CheckpointStatement) {
  return { ...statement, keyId: signer.keyId, signature: signer.sign(statement) }
}
