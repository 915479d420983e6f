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
    ok: z.boolean().describe('Whether the whole chain (and the given checkpoint) is intact.'),
    checked: z.number().int().describe('Sealed events whose hash was recomputed and found right.'),
    firstBreak: z
      .object({
        seq: z
          .number()
          .int()
          .nullable()
          .describe('The chain position of the break; null when not at one event.'),
        eventId: z.number().int().nullable().describe('The event at the break; null when it is gone.'),
        reason: z.enum(BREAK_REASONS).describe('What is wrong (docs/architecture.md §11).'),
        detail: z.string().describe('The break, for people.'),
      })
      .nullable()
      .describe('The first break found; null when intact.'),
    head: z
      .object({
        count: z.number().int().describe('Events in the chain.'),
        hash: z.string().describe('The hash of the last sealed event (SHA-256, hex).'),
      })
      .describe('The chain head now.'),
    checkpointsVerified: z.number().int().describe('Signed checkpoints found to match the chain.'),
    checkpointsOtherKey: z
      .number()
      .int()
      .describe('Checkpoints signed with another (rotated) key, not checked.'),
    unsealed: z.number().int().describe('Committed events not sealed yet (the next run seals them).'),
  })
  .meta({ id: 'AuditVerification' })

const checkpointSchema = z
  .object({
    id: z.number().int().describe("The checkpoint's id."),
    kind: z
      .enum(['seal', 'purge'])
      .describe('`seal`: after a sealing run; `purge`: re-anchors the chain after a retention purge.'),
    count: z.number().int().describe('Events in the chain at the checkpoint.'),
    head: z.string().describe('The chain head hash at the checkpoint (SHA-256, hex).'),
    sealedAt: z.date().describe('When it was signed.'),
    retainedFrom: z.date().nullable().describe('For `purge`: the oldest instant still retained; else null.'),
    keyId: z.string().describe('The id of the signing key.'),
    signature: z.string().describe('Ed25519 over the UTF-8 bytes of `message`, base64.'),
    message: z.string().describe('The exact text signed.'),
  })
  .meta({ id: 'AuditCheckpoint' })

export const chainRoutes: FastifyPluginAsyncZod<{
  db: Kysely<AuditDatabase>
  signer: CheckpointSigner
}> = async (app, { db, signer }) => {
  app.get(
    '/v1/audit/verify',
    {
      config: { roles: ['auditor'], longRunning: true },
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
            algorithm: z.enum(['Ed25519']).describe('The signature algorithm.'),
            keyId: z.string().describe("The current signing key's id."),
            publicKey: z.string().describe('The public key to check signatures with (SPKI PEM).'),
            keys: z
              .array(
                z
                  .object({
                    keyId: z.string().describe("The key's id, as checkpoints name it."),
                    publicKey: z.string().describe('The public key (SPKI PEM).'),
                  })
                  .describe('A key of the ring.'),
              )
              .describe(
                'The key ring: the current key first, then earlier keys whose checkpoints still verify.',
              ),
            items: z.array(checkpointSchema).describe('This page, newest first.'),
            nextCursor: z
              .string()
              .nullable()
              .describe('Give it as `cursor` for the next page; null on the last page.'),
          }),
          400: problemSchema,
        },
      },
    },
    async (request) => listSignedCheckpoints(db, actorOf(request), signer, request.query),
  )
}
