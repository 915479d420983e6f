import { z } from 'zod'

/** An instant in ISO 8601 with a zone (`2026-03-02T09:00:00Z`), as a Date. */
export const instantSchema = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time with a zone, e.g. 2026-03-02T09:00:00Z' })
  .transform((value) => new Date(value))

export const periodShape = {
  from: instantSchema
    .optional()
    .describe('From this instant (inclusive).')
    .meta({ example: '2026-01-01T00:00:00Z' }),
  to: instantSchema
    .optional()
    .describe('Up to this instant (exclusive).')
    .meta({ example: '2027-01-01T00:00:00Z' }),
}

/** `to` after `from`, reported at `/to`. */
export function periodInOrder(
  value: { from?: Date | undefined; to?: Date | undefined },
  ctx: z.RefinementCtx,
) {
  if (value.from && value.to && value.to <= value.from) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' })
  }
}

export const filterShape = {
  /** The acting organisation (the actor's `org`). */
  organisation: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be an organisation id'),
  actor: z.string().min(1).max(200),
  action: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/, 'must be a dotted action, e.g. match.read'),
  outcome: z.enum(['success', 'denied', 'error']),
}

export const filterQueryShape = {
  organisation: filterShape.organisation.optional(),
  actor: filterShape.actor.optional(),
  action: filterShape.action.optional(),
  outcome: filterShape.outcome.optional(),
  ...periodShape,
}
