import { z } from 'zod'
import { ProblemError } from './errors.js'

/** `?cursor=&limit=`: the cursor is opaque to clients (base64url of the last item's sort key). */
export const pageQuerySchema = z.object({
  cursor: z
    .string()
    .max(500)
    .optional()
    .describe("The previous page's `nextCursor`; absent for the first page."),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Items per page, 1 to 200.'),
})

export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url')
}

export function decodeCursor<T>(cursor: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (cursor === undefined) return undefined
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')))
  } catch {
    throw new ProblemError('validation_failed', 'The cursor is not valid', [
      { pointer: '/cursor', message: 'not a cursor this API gave out' },
    ])
  }
}

export function pageOf<T>(
  items: T[],
  limit: number,
  keyOf: (item: T) => unknown,
): { items: T[]; nextCursor: string | null } {
  const last = items[limit - 1]
  return {
    items: items.slice(0, limit),
    nextCursor: items.length > limit && last ? encodeCursor(keyOf(last)) : null,
  }
}

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item).describe('This page, newest first.'),
    nextCursor: z
      .string()
      .nullable()
      .describe('Pass as `cursor` (with the same filters) for the next page; null at the end.'),
  })

/** The cursor of lists ordered newest first by (createdAt, id). */
export const createdAtCursorSchema = z.object({ createdAt: z.iso.datetime(), id: z.string().min(1).max(100) })
export type CreatedAtCursor = z.infer<typeof createdAtCursorSchema>
