/**
 * What every bench database holds before any load: the Eindhoven region (its preset covenant rules, four
 * municipalities) and its organisations — 50 registering organisations of ten sectors (bench-org-1 …
 * bench-org-50, the names bench/registration.sql uses) and the five the region designates or escalates
 * to. Written with SQL before the server starts, so no request of the bench pays for it.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type pg from 'pg'

export const REGION = 'eindhoven'
export const MUNICIPALITIES = ['0772', '0753', '0770', '0848']
export const ORGS = 50
export const orgId = (i: number) => `bench-org-${i + 1}`

const SECTORS = [
  'school-po',
  'school-vo',
  'police',
  'gp',
  'jgz-0-4',
  'jgz-4-19',
  'youth-care',
  'amw',
  'cjg',
  'bjz',
]
// Schools, police and GPs signal; the rest may coordinate (docs/architecture.md).
const SIGNAL_ONLY = new Set(['school-po', 'school-vo', 'police', 'gp'])

/** The organisations the preset names: designated coordinators by age, and the escalation ladder. */
export const DESIGNATED = { under4: 'zuidzorg', from4: 'smw-eindhoven', from18: 'amw-eindhoven' }
const NAMED = [
  { id: DESIGNATED.under4, sector: 'jgz-0-4' },
  { id: DESIGNATED.from4, sector: 'school-social-work' },
  { id: DESIGNATED.from18, sector: 'amw' },
  { id: 'cjg-eindhoven', sector: 'cjg' },
  { id: 'gemeente-eindhoven', sector: 'municipality' },
]

const presetFile = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../services/match-service/presets/eindhoven.json',
)

/** Region and organisations, as an admin would have made them through the API. */
export async function writeFixture(client: pg.Client): Promise<void> {
  const document = { ...JSON.parse(await readFile(presetFile, 'utf8')), municipalities: MUNICIPALITIES }
  await client.query(`insert into match.regions values ($1, 1, now(), now())`, [REGION])
  await client.query(`insert into match.region_versions values ($1, 1, $2, now(), 'bench')`, [
    REGION,
    JSON.stringify(document),
  ])
  for (const municipality of MUNICIPALITIES)
    await client.query(`insert into match.region_municipalities values ($1, $2)`, [municipality, REGION])
  const organisations = [
    ...Array.from({ length: ORGS }, (_, i) => ({ id: orgId(i), sector: SECTORS[i % SECTORS.length]! })),
    ...NAMED,
  ]
  for (const { id, sector } of organisations)
    await client.query(
      `insert into match.organisations (id, name, sector, region_code, email, may_coordinate, active, created_at, updated_at)
       values ($1, $1, $2, $3, 'mailbox@' || $1 || '.example', $4, true, now(), now())`,
      [id, sector, REGION, !SIGNAL_ONLY.has(sector)],
    )
}
