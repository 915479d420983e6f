import { randomBytes, randomUUID } from 'node:crypto'
import { isIP } from 'node:net'
import { type Actor, ProblemError, recordAudit, ruleViolation } from '@verwijsindex/shared'
import type { Kysely } from 'kysely'
import type { NotifyDatabase, Webhook } from '../db/schema.js'
import { countActiveWebhooks, createWebhook, lockOrganisationWebhooks } from '../db/webhooks.js'
import { hostResolvesPublic } from '../delivery/webhook.js'
import { type UrlPolicy, webhookUrlProblem } from '../domain/address-policy.js'
import { actingAs } from '../domain/visibility.js'

/** More would only multiply deliveries of the same facts; a system needs one or two. */
export const MAX_WEBHOOKS_PER_ORGANISATION = 10

/**
 * Registers an endpoint for the actor's organisation, with a new signing secret (Standard Webhooks) that
 * only this answer shows. In production only https URLs to public addresses are accepted.
 */
export async function registerWebhook(
  deps: { db: Kysely<NotifyDatabase>; policy: UrlPolicy },
  actor: Actor,
  url: string,
): Promise<{ webhook: Webhook; secret: string }> {
  const { db, policy } = deps
  const { id: createdBy, organisation: organisationId } = actingAs(actor)
  const problem = webhookUrlProblem(url, policy)
  if (problem) throw ruleViolation('/url', `The URL ${problem}`)
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '')
  if (policy.production && !isIP(host)) {
    const resolved = await hostResolvesPublic(host)
    if (!resolved.ok)
      throw ruleViolation('/url', `The URL must point to a public address: ${resolved.reason}`)
  }
  const secret = `whsec_${randomBytes(32).toString('base64')}`
  const webhook = await db.transaction().execute(async (trx) => {
    await lockOrganisationWebhooks(trx, organisationId)
    if ((await countActiveWebhooks(trx, organisationId)) >= MAX_WEBHOOKS_PER_ORGANISATION) {
      throw new ProblemError(
        'unprocessable',
        `An organisation may register at most ${MAX_WEBHOOKS_PER_ORGANISATION} webhooks; delete one first`,
      )
    }
    const created = await createWebhook(
      trx,
      { id: randomUUID(), organisationId, url, secret, createdBy },
      actor.at,
    )
    await recordAudit(trx, actor, 'webhook.create', { resource: { type: 'webhook', id: created.id } })
    return created
  })
  return { webhook, secret }
}
