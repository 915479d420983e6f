import {
  DevelopmentTokensRefused,
  developmentClaims,
  mintDevelopmentToken,
  tokenVariable,
} from '@verwijsindex/shared/dev/tokens'
import { TEST_JWT_SECRET } from '@verwijsindex/shared/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type MatchHarness, seedEindhoven, startMatchService } from './helpers.js'

/** The one module that mints development tokens (npm start, the CLI, the console's development sign-in). */
describe('development tokens', () => {
  let h: MatchHarness
  beforeAll(async () => {
    h = await startMatchService()
    await seedEindhoven(h)
  })
  afterAll(() => h.close())

  const mint = (identity: Parameters<typeof developmentClaims>[0]) =>
    mintDevelopmentToken(developmentClaims(identity), TEST_JWT_SECRET, { now: h.clock.now() })
  const get = (url: string, token: string) =>
    h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })

  it('give a professional of any organisation the claims an identity provider would', async () => {
    const claims = developmentClaims({ role: 'professional', organisation: 'school-a' })
    expect(Object.keys(claims).sort()).toEqual(['email', 'name', 'org', 'phone', 'roles', 'sub'])
    expect(claims).toMatchObject({ org: 'school-a', roles: ['professional'] })
    const res = await get('/v1/registrations', mint({ role: 'professional', organisation: 'school-a' }))
    expect(res.statusCode).toBe(200)
  })

  it('mint system and operator tokens the services accept', async () => {
    expect(
      (await get('/v1/registrations', mint({ role: 'system', organisation: 'police-a' }))).statusCode,
    ).toBe(200)
    const admin = mint({ role: 'admin' })
    expect((await get('/v1/organisations', admin)).statusCode).toBe(200)
    expect(developmentClaims({ role: 'auditor' })).not.toHaveProperty('org')
  })

  it('carry the lifetime asked for', () => {
    const token = mintDevelopmentToken(developmentClaims({ role: 'admin' }), TEST_JWT_SECRET, {
      lifetimeSeconds: 600,
      now: new Date('2026-03-02T09:00:00Z'),
    })
    const payload = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString())
    expect(payload.exp - payload.iat).toBe(600)
  })

  it('are refused with NODE_ENV=production, and for claims the services would refuse', () => {
    const claims = developmentClaims({ role: 'admin' })
    expect(() => mintDevelopmentToken(claims, TEST_JWT_SECRET, { env: { NODE_ENV: 'production' } })).toThrow(
      DevelopmentTokensRefused,
    )
    expect(() =>
      mintDevelopmentToken({ sub: 'x', roles: ['professional'] }, TEST_JWT_SECRET, { env: {} }),
    ).toThrow(/org/)
  })

  it('name the shell variable npm start exports them in', () => {
    expect(tokenVariable({ role: 'privacy_officer' })).toBe('TOKEN_PRIVACY_OFFICER')
    expect(tokenVariable({ role: 'professional', organisation: 'ggd-jgz-4-19' })).toBe('TOKEN_GGD_JGZ_4_19')
    expect(tokenVariable({ role: 'system', organisation: 'police-a' })).toBe('TOKEN_SYSTEM_POLICE_A')
  })
})
