import { readFile } from 'node:fs/promises'
import type { Sector } from '@verwijsindex/shared'
import { type Config, createDb } from '@verwijsindex/shared'
import { createOrganisation, getOrganisation } from './db/organisations.js'
import { insertRegionVersion, regionExists, replaceMunicipalities } from './db/regions.js'
import type { MatchDatabase } from './db/schema.js'
import { regionDocumentSchema } from './domain/region-document.js'
import { defaultMayCoordinate } from './domain/sectors.js'

export const PRESETS_DIR = new URL('../presets/', import.meta.url)

export async function readPreset(name: string) {
  return regionDocumentSchema.parse(JSON.parse(await readFile(new URL(`${name}.json`, PRESETS_DIR), 'utf8')))
}

/** One organisation per common sector in the demo region, so every role can be tried at once. */
export const DEMO_ORGANISATIONS: { id: string; name: string; sector: Sector }[] = [
  { id: 'zuidzorg', name: 'Zuidzorg JGZ 0-4', sector: 'jgz-0-4' },
  { id: 'ggd-jgz-4-19', name: 'GGD Brabant-Zuidoost JGZ 4-19', sector: 'jgz-4-19' },
  { id: 'basisschool-regenboog', name: 'Basisschool De Regenboog', sector: 'school-po' },
  { id: 'lorentz-lyceum', name: 'Lorentz Lyceum', sector: 'school-vo' },
  { id: 'smw-eindhoven', name: 'School Maatschappelijk Werk Eindhoven', sector: 'school-social-work' },
  { id: 'amw-eindhoven', name: 'Algemeen Maatschappelijk Werk Eindhoven', sector: 'amw' },
  { id: 'cjg-eindhoven', name: 'CJG Eindhoven', sector: 'cjg' },
  { id: 'bjz-brabant', name: 'Bureau Jeugdzorg Brabant', sector: 'bjz' },
  { id: 'veilig-thuis-zob', name: 'Veilig Thuis Zuidoost-Brabant', sector: 'veilig-thuis' },
  { id: 'politie-zob', name: 'Politie Zuidoost-Brabant', sector: 'police' },
  { id: 'gemeente-eindhoven', name: 'Gemeente Eindhoven', sector: 'municipality' },
]

/** Loads the demo region and organisations once; a second `npm start` finds them and changes nothing. */
export async function loadDemo(config: Config): Promise<void> {
  const db = createDb<MatchDatabase>(config.databaseUrl, { max: 1 })
  try {
    const now = new Date()
    const document = await readPreset('eindhoven')
    await db.transaction().execute(async (trx) => {
      if (!(await regionExists(trx, 'eindhoven'))) {
        await insertRegionVersion(trx, { code: 'eindhoven', version: 1, createdAt: now, document }, 'demo')
        if (!(await replaceMunicipalities(trx, 'eindhoven', document.municipalities)))
          throw new Error('another region holds a municipality of the demo region')
      }
      for (const org of DEMO_ORGANISATIONS) {
        if (await getOrganisation(trx, org.id)) continue
        await createOrganisation(
          trx,
          {
            ...org,
            region: 'eindhoven',
            email: `zorg@${org.id}.example`,
            mayCoordinate: defaultMayCoordinate(org.sector),
            active: true,
          },
          now,
        )
      }
    })
  } finally {
    await db.destroy()
  }
}
