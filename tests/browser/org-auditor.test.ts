import { generateBsn, professional } from '@verwijsindex/shared/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  apiCall,
  type Browser,
  checkAccessibility,
  devSignIn,
  openBrowser,
  type Stack,
  startStack,
} from './harness.js'

/**
 * An organisation's own auditor (org_auditor, NEN 7513's organisation view) in a real browser: sees its
 * own staff's actions in the log and nobody else's, also when it tries to ask for another organisation.
 */
describe("web console: an organisation's auditor", () => {
  let stack: Stack
  let browser: Browser
  let matchId = ''

  beforeAll(async () => {
    stack = await startStack()
    browser = await openBrowser()
    const bsn = generateBsn(4501)
    for (const org of ['politie-zob', 'smw-eindhoven']) {
      const created = await apiCall(
        `${stack.urls.match}/v1/registrations`,
        stack.token(professional(org)),
        'POST',
        { bsn, birthDate: '2014-06-01', kind: 'concern' },
      )
      expect(created.status).toBe(201)
      if (created.body.matchId) matchId = created.body.matchId as string
    }
    expect(
      (await apiCall(`${stack.urls.match}/v1/matches/${matchId}`, stack.token(professional('politie-zob'))))
        .status,
    ).toBe(200)
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
  })

  it("shows its own staff's actions only, and searches them by keyboard", async () => {
    const { page } = browser
    await devSignIn(page, stack.consoleUrl, 'Inloggen als Auditor van School Maatschappelijk Werk Eindhoven')
    expect(new URL(page.url()).pathname).toBe('/audit/organisation')
    await checkAccessibility(page, 'org-audit')
    const organisations = await page.locator('main tbody tr td:nth-child(3)').allTextContents()
    expect(organisations.length).toBeGreaterThan(0)
    expect(new Set(organisations)).toEqual(new Set(['smw-eindhoven']))
    // No organisation field to change; the police's read is not there.
    expect(await page.getByLabel('Organisatie').count()).toBe(0)
    expect(await page.locator('main').textContent()).not.toContain('pro-politie-zob')
    await page.getByLabel('Handeling').focus()
    await page.keyboard.type('registration.create')
    await page.keyboard.press('Enter')
    await page.waitForURL(/action=registration.create/)
    const rows = await page.locator('main tbody tr').allTextContents()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toContain('smw-eindhoven')
  })

  it('cannot widen the view: another organisation in the URL still shows its own, the API refuses it', async () => {
    const { page } = browser
    await page.goto(`${stack.consoleUrl}/audit/organisation?organisation=politie-zob&action=match.read`)
    expect(await page.locator('main').textContent()).not.toContain('pro-politie-zob')
    const exported = await page.request.get(
      `${stack.consoleUrl}/audit/export?format=csv&organisation=politie-zob`,
    )
    expect(exported.status()).toBe(404)
    expect(await exported.text()).not.toContain('pro-politie-zob')
    const denied = await stack.query<{ n: string }>(
      "select count(*) as n from audit.events where action = 'access.denied' and actor_id = 'dev-org_auditor-smw-eindhoven'",
    )
    expect(Number(denied[0]?.n)).toBe(1)
    // The index-wide pages stay closed to it.
    expect((await page.goto(`${stack.consoleUrl}/audit`))?.status()).toBe(403)
  })
})
