import {
  type AuditEvent,
  type Config,
  type ManualClock,
  recordAuditEvents,
  type TokenClaims,
} from '@verwijsindex/shared'
import { startService, TEST_AUDIT_SIGNING_KEY, TEST_START } from '@verwijsindex/shared/testing'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Kysely } from 'kysely'
import { buildAuditService } from '../src/app.js'
import type { AuditDatabase } from '../src/db/schema.js'
import { type CheckpointSigner, createCheckpointSigner } from '../src/domain/chain.js'
import { purgeAuditEvents } from '../src/use-cases/purge-events.js'
import { type SealResult, sealAuditEvents } from '../src/use-cases/seal-events.js'

export interface AuditHarness {
  app: FastifyInstance
  db: Kysely<AuditDatabase>
  url: string
  config: Config
  clock: ManualClock
  signer: CheckpointSigner
  logs: string[]
  token(claims: Partial<TokenClaims>): string
  auditor: string
  privacyOfficer: string
  /** One sealing run, as the scheduled job does it, on the harness clock. */
  seal(): Promise<SealResult>
  purge(retentionDays?: number): ReturnType<typeof purgeAuditEvents>
  /** Writes events the way every service does (packages/shared's writer), one transaction. */
  write(events: Partial<TestAuditEvent>[]): Promise<void>
  get(url: string, token?: string): Promise<LightMyRequestResponse>
  /** Another audit-service on the same database (e.g. after a key rotation). */
  another(options?: { env?: Record<string, string> }): Promise<FastifyInstance>
  close(): Promise<void>
}

export const START = TEST_START

/** Tests write actions of their own making too (the trail stores any action), so `action` is any string here. */
export type TestAuditEvent = Omit<AuditEvent, 'action'> & { action: string }

export function auditEvent(overrides: Partial<TestAuditEvent> = {}): AuditEvent {
  return {
    service: 'match-service',
    action: 'registration.read',
    occurredAt: new Date(START),
    actor: { id: 'pro-school-a', organisation: 'school-a', roles: ['professional'], onBehalfOf: null },
    subjectKey: null,
    resource: { type: 'registration', id: '1' },
    requestId: 'req-00000001',
    clientIp: '10.0.0.1',
    userAgent: 'vitest',
    purpose: null,
    ...overrides,
  } as AuditEvent
}

/** An audit-service on a database of its own, with a clock moved by hand and captured log lines. */
export async function startAuditService(
  options: { env?: Record<string, string> } = {},
): Promise<AuditHarness> {
  const fixture = await startService<AuditDatabase>(buildAuditService, { ...options, poolMax: 6 })
  const { db, clock, config, token } = fixture
  const signer = createCheckpointSigner(TEST_AUDIT_SIGNING_KEY)
  return {
    app: fixture.app,
    db,
    url: fixture.database.url,
    config,
    clock,
    signer,
    logs: fixture.logs,
    token,
    // Signed on each use, so they stay valid when a test moves the clock by years.
    get auditor() {
      return token({ sub: 'auditor-1', roles: ['auditor'] })
    },
    get privacyOfficer() {
      return token({ sub: 'privacy-1', roles: ['privacy_officer'] })
    },
    async seal() {
      const result = await sealAuditEvents(db, { clock, signer })
      if (!result) throw new Error('a waiting sealing run always runs')
      return result
    },
    purge: (retentionDays = config.auditRetentionDays) =>
      purgeAuditEvents(db, { clock, signer, retentionDays }),
    write: (events) => recordAuditEvents(db, events.map(auditEvent)),
    get: (url, bearer) =>
      fixture.app.inject({
        method: 'GET',
        url,
        headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
      }),
    another: (more) => fixture.another(more),
    close: fixture.close,
  }
}
