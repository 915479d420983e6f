import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { buildMatchService } from '@verwijsindex/match-service'
import {
  createTestDatabase,
  signToken,
  TEST_JWT_SECRET,
  type TestDatabase,
  testConfig,
} from '@verwijsindex/shared/testing'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url')

/** A token as a production identity provider signs it: RS256 or ES256 with its private key. */
function signAsymmetric(claims: object, key: KeyObject, alg: 'RS256' | 'ES256', kid?: string): string {
  const now = Math.floor(Date.now() / 1000)
  const head = b64({ alg, typ: 'JWT', ...(kid ? { kid } : {}) })
  const body = b64({ iat: now, exp: now + 600, ...claims })
  const signer = createSign('SHA256').update(`${head}.${body}`)
  const signature = alg === 'ES256' ? signer.sign({ key, dsaEncoding: 'ieee-p1363' }) : signer.sign(key)
  return `${head}.${body}.${signature.toString('base64url')}`
}

const auditor = { sub: 'auditor-1', roles: ['auditor' as const] }

let database: TestDatabase
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(() => database.drop())

async function statusWith(app: FastifyInstance, token: string) {
  const res = await app.inject({
    method: 'GET',
    url: '/v1/regions',
    headers: { authorization: `Bearer ${token}` },
  })
  return res.statusCode
}

describe('production tokens', () => {
  it('verifies RS256 with JWT_PUBLIC_KEY, checks issuer and audience, and refuses HS256', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const config = testConfig(database.url, {
      JWT_SECRET: '',
      JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      JWT_ISSUER: 'https://idp.gemeente.example',
      JWT_AUDIENCE: 'verwijsindex',
    })
    const app = await buildMatchService({ config })
    const good = { ...auditor, iss: 'https://idp.gemeente.example', aud: 'verwijsindex' }
    expect(await statusWith(app, signAsymmetric(good, privateKey, 'RS256'))).toBe(200)
    expect(
      await statusWith(app, signAsymmetric({ ...good, iss: 'https://evil.example' }, privateKey, 'RS256')),
    ).toBe(401)
    expect(await statusWith(app, signAsymmetric({ ...good, aud: 'other-app' }, privateKey, 'RS256'))).toBe(
      401,
    )
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    expect(await statusWith(app, signAsymmetric(good, other, 'RS256'))).toBe(401)
    // An HS256 token "signed" with the public key as secret: the classic algorithm confusion.
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
    expect(await statusWith(app, signToken(good, pem))).toBe(401)
    expect(await statusWith(app, signToken(good, TEST_JWT_SECRET))).toBe(401)
    await app.close()
  })

  it('verifies ES256 against keys fetched from JWKS_URL, by kid', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'key-2026', alg: 'ES256', use: 'sig' }
    const server: Server = createServer((req, res) => {
      if (req.url === '/.well-known/jwks.json') {
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ keys: [jwk] }))
      } else {
        res.statusCode = 404
        res.end()
      }
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const config = testConfig(database.url, {
      JWT_SECRET: '',
      JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    })
    const app = await buildMatchService({ config })
    expect(await statusWith(app, signAsymmetric(auditor, privateKey, 'ES256', 'key-2026'))).toBe(200)
    expect(await statusWith(app, signAsymmetric(auditor, privateKey, 'ES256', 'unknown-kid'))).toBe(401)
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    expect(await statusWith(app, signAsymmetric(auditor, stranger, 'ES256', 'key-2026'))).toBe(401)
    await app.close()
    server.close()
  })
})
