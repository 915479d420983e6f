import { type Actor, type CreatedAtCursor, pageOf, recordAudit } from '@verwijsindex/shared'
import type { MatchContext } from '../context.js'
import { listRegistrations } from '../db/registrations.js'
import type { Organisation } from '../db/schema.js'
import { viewOf } from '../views/registration-view.js'
import type { RegistrationView } from '../views/schemas.js'
import { auditListRead } from './audit-reads.js'
import { ownRegistration } from './own-registration.js'

/** An organisation's own registrations, newest first; every one shown is audited as read. */
export async function readRegistrations(
  ctx: MatchContext,
  actor: Actor,
  organisation: Organisation,
  query: { status?: 'active' | 'ended' | undefined; after?: CreatedAtCursor | undefined; limit: number },
): Promise<{ items: RegistrationView[]; nextCursor: string | null }> {
  const rows = await listRegistrations(ctx.db, organisation.id, query, query.limit + 1)
  const page = pageOf(rows, query.limit, (r) => ({ createdAt: r.createdAt.toISOString(), id: r.id }))
  const items = await Promise.all(page.items.map((r) => viewOf(ctx.db, r, organisation)))
  await auditListRead(ctx.db, actor, page.items, {
    type: 'registration',
    read: 'registration.read',
    list: 'registration.list',
  })
  return { items, nextCursor: page.nextCursor }
}

/** One of the organisation's own registrations. */
export async function readRegistration(
  ctx: MatchContext,
  actor: Actor,
  organisation: Organisation,
  id: string,
): Promise<RegistrationView> {
  const registration = await ownRegistration(ctx.db, actor, organisation, id)
  await recordAudit(ctx.db, actor, 'registration.read', {
    subjectKey: registration.subjectKey,
    resource: { type: 'registration', id: registration.id },
  })
  return viewOf(ctx.db, registration, organisation)
}
