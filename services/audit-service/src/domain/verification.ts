import {
  type ChainHead,
  type Checkpoint,
  type CheckpointSigner,
  chainHash,
  type SealableEvent,
  statementOf,
} from './chain.js'

/**
 * Verifying the chain, as pure steps over rows the database hands over in order: the signed base, the
 * checkpoints at the base, every seal with its event (batch by batch), the checkpoints at each seal, and
 * what lies past the end. The first step that finds a break ends the verification.
 */

/** Why a verification stopped: the API lists them as they stand here. */
export const BREAK_REASONS = [
  'hash_mismatch',
  'event_missing',
  'sequence_gap',
  'checkpoint_mismatch',
  'checkpoint_signature',
  'checkpoint_beyond_chain',
  'event_outside_chain',
] as const

export type BreakReason = (typeof BREAK_REASONS)[number]

export interface ChainBreak {
  /** Position in the chain where verification stopped; null for an event outside the chain. */
  seq: number | null
  eventId: number | null
  reason: BreakReason
  detail: string
}

export interface VerifyResult {
  ok: boolean
  /** Sealed events whose hash was recomputed and found right. */
  checked: number
  firstBreak: ChainBreak | null
  /** The recomputed head (up to the break). */
  head: ChainHead
  /** Checkpoints whose head was compared and whose signature was checked with the current key. */
  checkpointsVerified: number
  /** Checkpoints signed with another key (before a key rotation): head compared, signature not checked. */
  checkpointsOtherKey: number
  /** Committed events waiting for the next sealing run: not yet protected. */
  unsealed: number
}

/** A seal with the event it covers; the event's columns are null when the event is gone. */
export type SealedEventRow = { seq: number; eventId: number; prevHash: string; sealHash: string } & {
  [K in keyof SealableEvent]: SealableEvent[K] | null
}

/**
 * The running state of one verification: the head recomputed so far and what was checked on the way.
 * Each step answers the break it found, or null when the chain holds so far.
 */
export class ChainWalk {
  head: ChainHead
  private checked = 0
  private checkpointsVerified = 0
  private checkpointsOtherKey = 0

  constructor(
    private readonly signer: CheckpointSigner,
    /** A checkpoint held elsewhere (count and head), checked against the recomputed chain. */
    private readonly external: ChainHead | undefined,
    private readonly base: { head: ChainHead; purge: Checkpoint | undefined },
  ) {
    this.head = base.head
  }

  private ringIds(): string {
    return this.signer.keys.map((k) => k.keyId).join(', ')
  }

  /** The base grants trust to everything it cut away, so it alone must carry a signature of our ring. */
  checkBase(): ChainBreak | null {
    const { purge } = this.base
    if (!purge) return null
    if (!this.signer.verify(statementOf(purge), purge.signature, purge.keyId)) {
      return {
        seq: purge.count,
        eventId: null,
        reason: 'checkpoint_signature',
        detail: `the purge checkpoint ${purge.id} the chain starts from is not signed by a key of the ring (${this.ringIds()})`,
      }
    }
    this.checkpointsVerified++
    return null
  }

  /** A given checkpoint before the base: the events it covers are purged, so there is nothing to compare. */
  externalBeforeBase(): boolean {
    return this.external !== undefined && this.external.count < this.base.head.count
  }

  /** The given checkpoint and the stored ones at the base's count (other than the base itself). */
  checkAtBase(checkpoints: Checkpoint[]): ChainBreak | null {
    const others = checkpoints.filter((c) => c.id !== this.base.purge?.id)
    return this.checkGiven(this.base.head) ?? this.checkStored(this.base.head, others)
  }

  /** One batch of seals in seq order, with the stored checkpoints that fall within it. */
  checkSeals(rows: SealedEventRow[], checkpoints: Checkpoint[]): ChainBreak | null {
    const byCount = new Map<number, Checkpoint[]>()
    for (const c of checkpoints) byCount.set(c.count, [...(byCount.get(c.count) ?? []), c])
    for (const row of rows) {
      const wrong =
        this.checkSeal(row) ??
        this.checkStored(this.head, byCount.get(row.seq) ?? []) ??
        this.checkGiven(this.head)
      if (wrong) return wrong
    }
    return null
  }

  /** A checkpoint (stored or given) past the recomputed end: the chain's tail was removed. */
  checkEnd(firstStoredBeyond: number | undefined): ChainBreak | null {
    const covered = Math.max(firstStoredBeyond ?? 0, this.external?.count ?? 0)
    if (covered <= this.head.count) return null
    return {
      seq: this.head.count + 1,
      eventId: null,
      reason: 'checkpoint_beyond_chain',
      detail: `a checkpoint covers ${covered} events but the chain ends at ${this.head.count}: its tail was removed`,
    }
  }

  result(firstBreak: ChainBreak | null, unsealed: number): VerifyResult {
    return {
      ok: firstBreak === null,
      checked: this.checked,
      firstBreak,
      head: this.head,
      checkpointsVerified: this.checkpointsVerified,
      checkpointsOtherKey: this.checkpointsOtherKey,
      unsealed,
    }
  }

  private checkSeal(row: SealedEventRow): ChainBreak | null {
    const expected = this.head.count + 1
    if (row.seq !== expected) {
      return {
        seq: expected,
        eventId: null,
        reason: 'sequence_gap',
        detail: `seal ${expected} is missing; the chain continues at ${row.seq}`,
      }
    }
    if (row.id === null) {
      return {
        seq: row.seq,
        eventId: row.eventId,
        reason: 'event_missing',
        detail: `event ${row.eventId}, sealed at ${row.seq}, is gone`,
      }
    }
    const hash = chainHash(this.head.hash, row.seq, row as SealableEvent)
    if (row.prevHash !== this.head.hash || row.sealHash !== hash) {
      return {
        seq: row.seq,
        eventId: row.eventId,
        reason: 'hash_mismatch',
        detail: `event ${row.eventId} or its seal at ${row.seq} was changed after sealing`,
      }
    }
    this.head = { count: row.seq, hash }
    this.checked++
    return null
  }

  /** The stored checkpoints at a position. */
  private checkStored(at: ChainHead, checkpoints: Checkpoint[]): ChainBreak | null {
    for (const c of checkpoints) {
      const wrong = this.checkCheckpoint(c, at.hash)
      if (wrong) return wrong
    }
    return null
  }

  /** The given checkpoint, when it is at this position. */
  private checkGiven(at: ChainHead): ChainBreak | null {
    if (this.external?.count !== at.count || this.external.hash === at.hash) return null
    return {
      seq: this.external.count,
      eventId: null,
      reason: 'checkpoint_mismatch',
      detail: `the given checkpoint says the head at ${this.external.count} is ${this.external.hash}; the chain gives ${at.hash}`,
    }
  }

  /** Compares a stored checkpoint with the recomputed hash at its count, and checks our signature on it. */
  private checkCheckpoint(c: Checkpoint, hashAtCount: string): ChainBreak | null {
    if (this.signer.knows(c.keyId)) {
      if (!this.signer.verify(statementOf(c), c.signature, c.keyId)) {
        return {
          seq: c.count,
          eventId: null,
          reason: 'checkpoint_signature',
          detail: `checkpoint ${c.id} is not validly signed by key ${c.keyId}`,
        }
      }
      this.checkpointsVerified++
    } else {
      this.checkpointsOtherKey++
    }
    if (c.head === hashAtCount) return null
    return {
      seq: c.count,
      eventId: null,
      reason: 'checkpoint_mismatch',
      detail: `checkpoint ${c.id} says the head at ${c.count} is ${c.head}; the chain gives ${hashAtCount}`,
    }
  }
}

/** An unsealed event of a transaction the last sealing run saw: slipped in around the sealer. */
export function outsideBreak(outside: number | null): ChainBreak | null {
  if (outside === null) return null
  return {
    seq: null,
    eventId: outside,
    reason: 'event_outside_chain',
    detail: `event ${outside} is older than the last sealing run's horizon but has no seal`,
  }
}
