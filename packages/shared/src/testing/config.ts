import { generateKeyPairSync } from 'node:crypto'
import { type Config, loadConfig } from '../config.js'

export const TEST_JWT_SECRET = 'test-jwt-secret-that-is-long-enough-0123456789'
export const TEST_SUBJECT_KEY_SECRET = 'test-subject-key-secret-long-enough-0123456789'

/** An Ed25519 key for signing audit checkpoints, made once per test process. */
export const TEST_AUDIT_SIGNING_KEY = generateKeyPairSync('ed25519')
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString()

export function testConfig(databaseUrl: string, overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: '4',
    JWT_SECRET: TEST_JWT_SECRET,
    SUBJECT_KEY_SECRET: TEST_SUBJECT_KEY_SECRET,
    AUDIT_SIGNING_KEY: TEST_AUDIT_SIGNING_KEY,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '100000',
    ...overrides,
  })
}
