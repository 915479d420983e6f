import { SECTORS, type Sector } from '@verwijsindex/shared'
import { z } from 'zod'

export const sectorSchema = z.enum(SECTORS)

/** Schools and police typically may signal but not coordinate (Zorg voor Jeugd); the admin may override. */
const SIGNAL_ONLY: readonly Sector[] = ['police', 'justice', 'school-po', 'school-vo', 'school-mbo']

export function defaultMayCoordinate(sector: Sector): boolean {
  return !SIGNAL_ONLY.includes(sector)
}

/** Ids of organisations and regions are chosen by the admin. */
export const slugSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be a slug: lower-case letters, digits and hyphens, 2 to 63 long')
