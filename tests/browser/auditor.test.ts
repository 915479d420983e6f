import { readFile } from 'node:fs/promises'
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
 * An auditor in a real browser: finds the police's reads of a match in the access log (by keyboard),
 * pages through them, opens the child's access report, sees the chain verified, and exports the log.
 */
describe('web console: an auditor', () => {
  let stack: Stack
  let browser: Browser
  const bsn = generateBsn(4301)
  let matchId = ''
  const READS = 53

  beforeAll(async () => {
    stack = await startStack()
    browser = await openBrowser()
    const police = stack.token(professional('politie-zob'))
    for (const [org, kind] of [
      ['politie-zob', 'concern'],
      ['smw-eindhoven', 'involvement'],
    ] as const) {
      const created = await apiCall(
        `${stack.urls.match}/v1/registrations`,
        stack.token(professional(org)),
        'POST',
        { bsn, birthDate: '2014-06-01', kind },
      )
      expect(created.status).toBe(201)
      if (created.body.matchId) matchId = created.body.matchId as string
    }
    for (let i = 0; i < READS; i++)
      expect((await apiCall(`${stack.urls.match}/v1/matches/${matchId}`, police)).status).toBe(200)
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
  })

  it("finds the professional's read in the log by keyboard, and pages on", async () => {
    const { page } = browser
    await devSignIn(page, stack.consoleUrl, 'Inloggen als Auditor')
    expect(new URL(page.url()).pathname).toBe('/audit')
    await checkAccessibility(page, 'audit')
    await page.getByLabel('Organisatie').focus()
    await page.keyboard.type('politie-zob')
    await page.keyboard.press('Tab') // past the hint-less field to Handeling
    await page.keyboard.type('match.read')
    await page.keyboard.press('Enter')
    await page.waitForURL(/action=match.read/)
    const rows = page.locator('main tbody tr')
    expect(await rows.count()).toBe(50)
    const first = (await rows.first().textContent()) ?? ''
    expect(first).toContain('pro-politie-zob')
    expect(first).toContain('match.read')
    expect(first).toContain(matchId)
    await checkAccessibility(page, 'audit-results')
    await page.getByRole('link', { name: 'Volgende pagina' }).click()
    expect(await rows.count()).toBe(READS - 50)
    expect(await page.getByLabel('Handeling').inputValue()).toBe('match.read')
  })

  it('shows a bad filter at its field', async () => {
    const { page } = browser
    await page.goto(`${stack.consoleUrl}/audit?action=not-an-action`)
    expect(await page.locator('#action-error').textContent()).toContain('dotted action')
    await checkAccessibility(page, 'audit-invalid')
  })

  it("opens the child's access report", async () => {
    const { page } = browser
    await page.goto(`${stack.consoleUrl}/audit/subject`)
    await page.getByLabel('BSN van het kind').fill(bsn)
    await page.getByRole('button', { name: 'Opzoeken' }).click()
    const text = (await page.locator('main').textContent()) ?? ''
    expect(text).toContain('registration.create')
    expect(text).toContain('match.read')
    expect(page.url()).not.toContain(bsn)
    await checkAccessibility(page, 'audit-subject')
  })

  it('shows the chain verified and the signed checkpoints', async () => {
    const { page } = browser
    await page.getByRole('link', { name: 'Integriteit' }).click()
    expect(await page.getByRole('status').first().textContent()).toContain('De keten is intact.')
    expect(await page.locator('main').textContent()).toContain('BEGIN PUBLIC KEY')
    await checkAccessibility(page, 'audit-chain')
  })

  it('exports the filtered log as CSV and NDJSON through the console', async () => {
    const { page } = browser
    await page.goto(`${stack.consoleUrl}/audit?organisation=politie-zob&action=match.read`)
    for (const [name, check] of [
      [
        'Exporteren als CSV',
        (text: string) => {
          const lines = text.trim().split('\n')
          expect(lines[0]).toContain('occurredAt')
          expect(lines).toHaveLength(READS + 1)
        },
      ],
      [
        'Exporteren als NDJSON',
        (text: string) => {
          const events = text
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as { action: string; actor: { organisation: string } })
          expect(events).toHaveLength(READS)
          expect(new Set(events.map((e) => `${e.action} ${e.actor.organisation}`))).toEqual(
            new Set(['match.read politie-zob']),
          )
        },
      ],
    ] as const) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name }).click(),
      ])
      check(await readFile((await download.path()) as string, 'utf8'))
    }
  })
})
