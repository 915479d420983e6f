import { actorOf, pageQuerySchema, problemSchema } from '@verwijsindex/shared'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { AuditDatabase } from '../db/schema.js'
import type { CheckpointSigner } from '../domain/chain.js'
import { BREAK_REASONS } from '../domain/verification.js'
import { listSignedCheckpoints } from '../use-cases/list-checkpoints.js'
import { verifyChainFor } from '../use-cases/verify-chain.js'

const hashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits (SHA-256)')
const VERIFY_TIMEOUT_MS = 15 * 60_000

const verifyResultSchema = z
  .object({
    ok: z.boolean(),
    checked: z.number().int().describe('sealed events whose hash was recomputed and found right'),
    firstBreak: z
      .object({
        seq: z.number().int().nullable(),
        eventId: z.number().int().nullable(),
        reason: z.enum(BREAK_REASONS),
        detail: z.string(),
      })
      .nullable(),
    head: z.object({ count: z.number().int(), hash: z.string() }),
    checkpointsVerified: z.number().int(),
    checkpointsOtherKey: z.number().int(),
    unsealed: z.number().int().describe('committed events not sealed yet (the next run seals them)'),
  })
  .meta({ id: 'AuditVerification' })

const checkpointSchema = z
  .object({
    id: z.number().int(),
    kind: z.enum(['seal', 'purge']),
    count: z.number().int(),
    head: z.string(),
    sealedAt: z.date(),
    retainedFrom: z.date().nullable(),
    keyId: z.string(),
    signature: z.string().describe('Ed25519 over the UTF-8 bytes of `message`, base64'),
    message: z.string().describe('the exact text signed'),
  })
  .meta({ id: 'AuditCheckpoint' })

export const chainRoutes: FastifyPluginAsyncZod<{
  db: Kysely<AuditDatabase>
  signer: CheckpointSigner
}> = async (app, { db, signer }) => {
  app.get(
    '/v1/audit/verify',
    {
      config: { roles: ['auditor'] },
      schema: {
        operationId: 'verifyAuditChain',
        summary: 'Verify the audit hash chain',
        description:
          'Recomputes the hash chain; optionally against a checkpoint (count, head) kept elsewhere.',
        tags: ['audit'],
        querystring: z
          .strictObject({ count: z.coerce.number().int().min(0).optional(), head: hashSchema.optional() })
          .superRefine((q, ctx) => {
            if ((q.count === undefined) !== (q.head === undefined)) {
              ctx.addIssue({
                code: 'custom',
                path: [q.count === undefined ? 'count' : 'head'],
                message: 'a checkpoint is given as both count and head',
              })
            }
          }),
        response: { 200: verifyResultSchema, 400: problemSchema, 422: problemSchema },
      },
    },
    async (request) => {
      // Recomputing a long chain takes minutes with nothing sent meanwhile; the idle-socket timeout
      // every other route keeps (30 s) would cut it off.
      request.raw.socket?.setTimeout?.(VERIFY_TIMEOUT_MS)
      const { count, head } = request.query
      const external = count !== undefined && head !== undefined ? { count, hash: head } : undefined
      return verifyChainFor(db, actorOf(request), { signer, external })
    },
  )

  app.get(
    '/v1/audit/checkpoints',
    {
      config: { roles: ['auditor'] },
      schema: {
        operationId: 'listAuditCheckpoints',
        summary: 'List signed checkpoints',
        description: 'Signed chain heads, newest first, with the public key to check them.',
        tags: ['audit'],
        querystring: z.strictObject(pageQuerySchema.shape),
        response: {
          200: z.object({
            algorithm: z.enum(['Ed25519']),
            keyId: z.string(),
            publicKey: z.string().describe('SPKI PEM'),
            items: z.array(checkpointSchema),
            nextCursor: z.string().nullable(),
          }),
          400: problemSchema,
        },
      },
    },
    async (request) => listSignedCheckpoints(db, actorOf(request), signer, request.query),
  )
}
