import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../src/config.js'

const valid = {
  DATABASE_URL: 'postgres://localhost/verwijsindex',
  JWT_SECRET: 'x'.repeat(32),
  SUBJECT_KEY_SECRET: 'y'.repeat(32),
}

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('configuration', () => {
  it('parses a valid environment with defaults', () => {
    const config = loadConfig(valid)
    expect(config.ports).toEqual({ match: 3001, notify: 3002, audit: 3003, console: 3000 })
    expect(config.rateLimitPerMinute).toBe(600)
    expect(config.jwt.secret).toBe(valid.JWT_SECRET)
  })

  it('names a missing variable', () => {
    const error = errorOf({ ...valid, DATABASE_URL: '' })
    expect(error.variables).toContain('DATABASE_URL')
    const missing = errorOf({ JWT_SECRET: valid.JWT_SECRET, SUBJECT_KEY_SECRET: valid.SUBJECT_KEY_SECRET })
    expect(missing.message).toMatch(/DATABASE_URL: is required/)
  })

  it('names a malformed variable', () => {
    expect(errorOf({ ...valid, MATCH_SERVICE_PORT: 'eighty' }).variables).toEqual(['MATCH_SERVICE_PORT'])
    expect(errorOf({ ...valid, SUBJECT_KEY_SECRET: 'short' }).message).toMatch(
      /SUBJECT_KEY_SECRET: must be at least 32/,
    )
    expect(errorOf({ ...valid, LOG_LEVEL: 'loud' }).variables).toEqual(['LOG_LEVEL'])
  })

  it('needs exactly one way to verify tokens', () => {
    expect(errorOf({ ...valid, JWT_SECRET: '' }).variables).toEqual(['JWT_SECRET'])
    expect(errorOf({ ...valid, JWKS_URL: 'https://idp.example/jwks.json' }).message).toMatch(/exactly one of/)
  })

  it('refuses development secrets and missing signing keys in production', () => {
    const error = errorOf({ ...valid, NODE_ENV: 'production' })
    expect(error.variables).toEqual(expect.arrayContaining(['JWT_SECRET', 'AUDIT_SIGNING_KEY']))
  })

  it('a service started with a bad environment says which variable and exits non-zero', () => {
    const server = fileURLToPath(new URL('../../../services/match-service/src/server.ts', import.meta.url))
    const result = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', server], {
      env: { PATH: process.env.PATH, ...valid, RATE_LIMIT_PER_MINUTE: '-5' },
      encoding: 'utf8',
      timeout: 20_000,
    })
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/RATE_LIMIT_PER_MINUTE/)
  })
})
