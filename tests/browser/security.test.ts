import { generateBsn } from '@verwijsindex/shared/testing'
import { buildWebConsole } from '@verwijsindex/web-console'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Browser, devSignIn, openBrowser, type Stack, startStack } from './harness.js'

const PROFESSIONAL = 'Inloggen als Professional School Maatschappelijk Werk Eindhoven'

/**
 * The console's defences, proved in the browser: a Content-Security-Policy that lets no inline script run,
 * CSRF tokens on every form, and the browser's address forwarded into the audit trail.
 */
describe('web console: security', () => {
  let stack: Stack
  let browser: Browser

  beforeAll(async () => {
    stack = await startStack()
    browser = await openBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
  })

  it('sends a strict Content-Security-Policy without inline script', async () => {
    const response = await fetch(`${stack.consoleUrl}/signin`)
    const csp = response.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    expect(csp).not.toContain('unsafe-eval')
    expect(await response.text()).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
  })

  it('runs no inline script injected into a page, while its own script runs', async () => {
    const { page } = browser
    const violations: string[] = []
    page.on('console', (message) => violations.push(message.text()))
    // A page whose markup an attacker managed to change in transit: the CSP header still governs it.
    await page.route(`${stack.consoleUrl}/signin`, async (route) => {
      const response = await route.fetch()
      const body = (await response.text()).replace(
        '</main>',
        '<script>document.title = "pwned"; window.injected = true</script></main>',
      )
      await route.fulfill({ response, body })
    })
    await page.goto(`${stack.consoleUrl}/signin`)
    await page.unroute(`${stack.consoleUrl}/signin`)
    expect(await page.evaluate('window.injected === true')).toBe(false)
    expect(await page.title()).not.toBe('pwned')
    expect(violations.join('\n')).toContain('Content Security Policy')
    await devSignIn(page, stack.consoleUrl, PROFESSIONAL)
    await page.goto(`${stack.consoleUrl}/registrations/new`)
    // The console's own script (an enhancement from 'self') does run: it adds the live BSN check.
    expect(await page.locator('#bsn-live').count()).toBe(1)
  })

  it('refuses a form post without or with a wrong CSRF token, and changes nothing', async () => {
    const { page, context } = browser
    const session = (await context.cookies(stack.consoleUrl)).find((c) => c.name === 'vi_session')
    expect(session).toBeDefined()
    const count = async () =>
      Number((await stack.query<{ n: string }>('select count(*) as n from match.registrations'))[0]?.n ?? -1)
    const before = await count()
    const form = (csrf?: string) =>
      new URLSearchParams({
        bsn: generateBsn(4401),
        birthDate: '2016-01-01',
        kind: 'concern',
        ...(csrf !== undefined ? { _csrf: csrf } : {}),
      })
    const post = (body: URLSearchParams) =>
      fetch(`${stack.consoleUrl}/registrations/new`, {
        method: 'POST',
        headers: {
          cookie: `vi_session=${session?.value}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body,
        redirect: 'manual',
      })
    expect((await post(form())).status).toBe(403)
    expect((await post(form('A'.repeat(43)))).status).toBe(403)
    expect(await count()).toBe(before)
    // The token the page carries is accepted: the refusal above was the token's doing.
    const token = await page.locator('input[name="_csrf"]').first().inputValue()
    const accepted = await post(form(token))
    expect(accepted.status).toBe(303)
    expect(await count()).toBe(before + 1)
  })

  it("records the browser's address, as the console saw it, in the audit trail", async () => {
    // A second console replica on the IPv6 loopback: the browser reaches it from ::1, while the console
    // reaches the services from 127.0.0.1. The services trust the console's X-Forwarded-For (TRUSTED_PROXIES).
    const replica: FastifyInstance = await buildWebConsole({ config: stack.config })
    await replica.listen({ port: 0, host: '::1' })
    try {
      const address = replica.server.address()
      const url = `http://[::1]:${typeof address === 'object' && address ? address.port : 0}`
      const { page } = browser
      await devSignIn(page, url, PROFESSIONAL)
      await page.goto(`${url}/matches`)
      const rows = await stack.query<{ clientIp: string; userAgent: string }>(
        "select client_ip, user_agent from audit.events where action = 'match.list' order by id desc limit 1",
      )
      expect(rows[0]?.clientIp).toBe('::1')
      expect(rows[0]?.userAgent).toContain('Chrome')
    } finally {
      await replica.close()
    }
  })

  it('purges idle sessions and abandoned sign-ins when someone signs in', async () => {
    const hour = new Date(Date.now() - 3600_000)
    await stack.query(
      `insert into console.sessions (id_hash, claims, access_token, token_expires_at, created_at, last_seen_at)
       values ('idle-one', '{}', 'a.b.c', now(), $1, $1), ('fresh-one', '{}', 'a.b.c', now(), now(), now())`,
      [hour],
    )
    await stack.query(
      `insert into console.sign_ins (id_hash, state, nonce, code_verifier, created_at) values ('gone', 's', 'n', 'v', $1)`,
      [hour],
    )
    await browser.context.clearCookies()
    await devSignIn(browser.page, stack.consoleUrl, PROFESSIONAL)
    const left = await stack.query<{ idHash: string }>(
      "select id_hash from console.sessions where id_hash in ('idle-one', 'fresh-one')",
    )
    expect(left.map((r) => r.idHash)).toEqual(['fresh-one'])
    expect(await stack.query("select 1 from console.sign_ins where id_hash = 'gone'")).toEqual([])
  })
})
