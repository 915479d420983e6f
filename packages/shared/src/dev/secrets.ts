import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'

export interface DevSecrets {
  JWT_SECRET: string
  SUBJECT_KEY_SECRET: string
  AUDIT_SIGNING_KEY: string
  POSTGRES_PASSWORD: string
}

/**
 * Development secrets, generated once and kept in `<dataDir>/secrets.json` (mode 600), so a second
 * `npm start` reuses them: a new SUBJECT_KEY_SECRET would orphan every stored subject key.
 */
export async function loadOrCreateDevSecrets(dataDir: string): Promise<DevSecrets> {
  const file = path.join(dataDir, 'secrets.json')
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DevSecrets
  } catch {
    const { privateKey } = generateKeyPairSync('ed25519')
    const secrets: DevSecrets = {
      JWT_SECRET: randomBytes(32).toString('base64url'),
      SUBJECT_KEY_SECRET: randomBytes(32).toString('base64url'),
      AUDIT_SIGNING_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      POSTGRES_PASSWORD: randomBytes(16).toString('hex'),
    }
    await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 })
    return secrets
  }
}
