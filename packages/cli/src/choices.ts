import type { Role, Sector } from '@verwijsindex/shared'

/**
 * The roles and sectors the commands offer in --help. Written out rather than imported, so the CLI starts
 * without loading the services' modules; the Record types make the compiler refuse a list that misses one.
 */
const ROLE_KEYS: Record<Role, true> = {
  professional: true,
  system: true,
  org_auditor: true,
  admin: true,
  auditor: true,
  privacy_officer: true,
  policy_officer: true,
}

const SECTOR_KEYS: Record<Sector, true> = {
  'jgz-0-4': true,
  'jgz-4-19': true,
  'school-po': true,
  'school-vo': true,
  'school-mbo': true,
  'school-social-work': true,
  amw: true,
  cjg: true,
  bjz: true,
  'veilig-thuis': true,
  police: true,
  justice: true,
  ggz: true,
  'ggz-adult': true,
  'youth-care': true,
  municipality: true,
  gp: true,
  childcare: true,
  other: true,
}

export const ROLE_CHOICES = Object.keys(ROLE_KEYS) as Role[]
export const SECTOR_CHOICES = Object.keys(SECTOR_KEYS) as Sector[]
