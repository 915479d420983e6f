import { generateKeyPairSync, randomBytes } from 'node:crypto'
import type { Server } from 'node:http'
import { generateBsn } from '@verwijsindex/shared/testing'
import Provider, { type KoaContextWithOIDC } from 'oidc-provider'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Browser, freePort, openBrowser, type Stack, startStack } from './harness.js'

const AUDIENCE = 'urn:verwijsindex'
const CLIENT = { id: 'web-console', secret: randomBytes(24).toString('hex') }

/** The region's people as the identity provider knows them; the access token carries these claims. */
const ACCOUNTS: Record<string, Record<string, unknown>> = {
  'jansen@smw': {
    org: 'smw-eindhoven',
    roles: ['professional'],
    name: 'M. Jansen',
    email: 'm.jansen@smw-eindhoven.example',
    phone: '+31 40 123 4567',
  },
}

/**
 * The production sign-in end to end: a real OpenID provider (oidc-provider) issues JWT access tokens with
 * the claims the services verify (through its JWKS); the console in production mode signs in through the
 * provider's login and consent, acts with that token, refreshes it, signs out at the provider, and an
 * expired session without a refresh token signs the person out with a clear message.
 */
describe('web console: OpenID Connect sign-in (production mode)', () => {
  let provider: Provider
  let providerServer: Server
  let issuer: string
  let stack: Stack
  let browser: Browser

  beforeAll(async () => {
    const consolePort = await freePort()
    const consoleUrl = `http://127.0.0.1:${consolePort}`
    const providerPort = await freePort()
    issuer = `http://127.0.0.1:${providerPort}`
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })
    provider = new Provider(issuer, {
      clients: [
        {
          client_id: CLIENT.id,
          client_secret: CLIENT.secret,
          redirect_uris: [`${consoleUrl}/signin/callback`],
          post_logout_redirect_uris: [`${consoleUrl}/signin?ended=out`],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
        },
      ],
      jwks: { keys: [{ ...key, kid: 'test-rs256', alg: 'RS256', use: 'sig' }] },
      cookies: { keys: [randomBytes(16).toString('hex')] },
      claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
      scopes: ['openid', 'offline_access', 'profile', 'email'],
      pkce: { required: () => true },
      features: {
        devInteractions: { enabled: true },
        rpInitiatedLogout: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => AUDIENCE,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({
            scope: 'openid profile email',
            audience: AUDIENCE,
            accessTokenFormat: 'jwt',
            accessTokenTTL: 300,
            jwt: { sign: { alg: 'RS256' } },
          }),
        },
      },
      async findAccount(_ctx: KoaContextWithOIDC, id: string) {
        const account = ACCOUNTS[id]
        if (!account) return undefined
        return { accountId: id, claims: async () => ({ sub: id, name: account.name, email: account.email }) }
      },
      async extraTokenClaims(_ctx: KoaContextWithOIDC, token) {
        return 'accountId' in token && typeof token.accountId === 'string'
          ? ACCOUNTS[token.accountId]
          : undefined
      },
      ttl: {
        AccessToken: 300,
        IdToken: 300,
        RefreshToken: 3600,
        Session: 3600,
        Grant: 3600,
        Interaction: 600,
      },
    })
    providerServer = provider.listen(providerPort, '127.0.0.1') as Server
    await new Promise((resolve) => providerServer.once('listening', resolve))

    const verify = { JWT_SECRET: '', JWKS_URL: `${issuer}/jwks`, JWT_ISSUER: issuer, JWT_AUDIENCE: AUDIENCE }
    stack = await startStack(verify, {
      consolePort,
      consoleEnv: {
        NODE_ENV: 'production',
        WEB_CONSOLE_URL: consoleUrl,
        OIDC_ISSUER: issuer,
        OIDC_CLIENT_ID: CLIENT.id,
        OIDC_CLIENT_SECRET: CLIENT.secret,
      },
    })
    browser = await openBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
    await new Promise((resolve) => providerServer?.close(resolve))
  })

  it('offers only the provider on the sign-in page (no demo users in production)', async () => {
    const { page } = browser
    await page.goto(`${stack.consoleUrl}/`)
    expect(new URL(page.url()).pathname).toBe('/signin')
    expect(await page.getByRole('button', { name: /Inloggen als/ }).count()).toBe(0)
    const dev = await fetch(`${stack.consoleUrl}/signin/dev`, { method: 'POST' })
    // No demo route exists (the CSRF check refuses the post before any route would).
    expect([403, 404]).toContain(dev.status)
  })

  it("signs in through the provider's login and consent, and acts with the provider's token", async () => {
    const { page } = browser
    await page.getByRole('link', { name: 'Inloggen bij de identiteitsprovider van de regio' }).click()
    await page.waitForLoadState()
    await page.waitForURL(`${issuer}/**`)
    await page.locator('input[name="login"]').fill('jansen@smw')
    await page.locator('input[name="password"]').fill('any')
    await page.getByRole('button', { name: 'Sign-in' }).click()
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForURL(`${stack.consoleUrl}/`)
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Te doen')
    expect(await page.locator('header').textContent()).toContain('M. Jansen')

    // The token the session holds is the provider's JWT, for the services' audience.
    const [session] = await stack.query<{ accessToken: string; refreshToken: string | null }>(
      'select access_token, refresh_token from console.sessions',
    )
    const claims = JSON.parse(Buffer.from(session?.accessToken.split('.')[1] ?? '', 'base64url').toString())
    expect(claims).toMatchObject({ iss: issuer, aud: AUDIENCE, sub: 'jansen@smw', org: 'smw-eindhoven' })
    expect(session?.refreshToken).toBeTruthy()

    // An action through the console, with that token: a registration the service records as this person's.
    await page.getByRole('link', { name: 'Kind melden' }).click()
    await page.getByLabel('BSN van het kind').fill(generateBsn(4501))
    await page.getByLabel('Geboortedatum').fill('2017-02-02')
    await page.getByLabel('Zorg: u maakt zich zorgen over het kind').check()
    await page.getByRole('button', { name: 'Melden' }).click()
    expect(await page.getByRole('status').first().textContent()).toContain('opgeslagen')
    const events = await stack.query<{ actorId: string; actorOrganisation: string }>(
      "select actor_id, actor_organisation from audit.events where action = 'registration.create'",
    )
    expect(events).toEqual([{ actorId: 'jansen@smw', actorOrganisation: 'smw-eindhoven' }])
  })

  it('refreshes an expired access token with the refresh token', async () => {
    const { page } = browser
    const [before] = await stack.query<{ accessToken: string }>('select access_token from console.sessions')
    await stack.query("update console.sessions set token_expires_at = now() - interval '1 minute'")
    await page.getByRole('link', { name: 'Mijn meldingen' }).click()
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Mijn meldingen')
    const [after] = await stack.query<{ accessToken: string; tokenExpiresAt: Date }>(
      'select access_token, token_expires_at from console.sessions',
    )
    expect(after?.accessToken).not.toBe(before?.accessToken)
    expect(after?.tokenExpiresAt.getTime()).toBeGreaterThan(Date.now())
  })

  it('signs out at the provider too', async () => {
    const { page } = browser
    await page.getByRole('button', { name: 'Uitloggen' }).click()
    await page.waitForURL(`${issuer}/**`)
    // The provider asks whether to end its session too (its own confirmation page).
    await page.locator('button[autofocus], button[name="logout"]').first().click()
    await page.waitForURL(`${stack.consoleUrl}/signin?ended=out`)
    expect(await page.getByRole('status').first().textContent()).toContain('U bent uitgelogd.')
    expect(await stack.query('select 1 from console.sessions')).toEqual([])
    await page.goto(`${stack.consoleUrl}/registrations`)
    expect(new URL(page.url()).pathname).toBe('/signin')
  })

  it('signs the person out with a clear message when the session expires and cannot be refreshed', async () => {
    const { page } = browser
    await page.getByRole('link', { name: 'Inloggen bij de identiteitsprovider van de regio' }).click()
    await page.waitForURL(`${issuer}/**`)
    if (await page.locator('input[name="login"]').count()) {
      await page.locator('input[name="login"]').fill('jansen@smw')
      await page.locator('input[name="password"]').fill('any')
      await page.getByRole('button', { name: 'Sign-in' }).click()
    }
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForURL(`${stack.consoleUrl}/`)
    await stack.query(
      "update console.sessions set token_expires_at = now() - interval '1 minute', refresh_token = null",
    )
    await page.getByRole('link', { name: 'Mijn meldingen' }).click()
    expect(new URL(page.url()).pathname).toBe('/signin')
    expect(await page.locator('main').textContent()).toContain('Uw sessie is verlopen. Log opnieuw in.')
    expect(await stack.query('select 1 from console.sessions')).toEqual([])
  })
})
