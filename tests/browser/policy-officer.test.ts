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
 * A policy officer in a real browser: the region's monthly figures as tables and server-drawn charts,
 * small cells shown as suppressed, and the CSV download through the console.
 */
describe('web console: a policy officer', () => {
  let stack: Stack
  let browser: Browser

  beforeAll(async () => {
    stack = await startStack()
    browser = await openBrowser()
    // Six children known to two organisations (six matches); one registration of kind involvement.
    for (let child = 0; child < 6; child++) {
      const bsn = generateBsn(4600 + child)
      for (const org of ['politie-zob', 'smw-eindhoven']) {
        const kind = child === 0 && org === 'smw-eindhoven' ? 'involvement' : 'concern'
        const created = await apiCall(
          `${stack.urls.match}/v1/registrations`,
          stack.token(professional(org)),
          'POST',
          { bsn, birthDate: '2014-06-01', kind },
        )
        expect(created.status).toBe(201)
      }
    }
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
  })

  it('shows a table and a chart per measure, suppressed cells as such, with no script', async () => {
    const { page } = browser
    const scripts: string[] = []
    page.on('console', (message) => scripts.push(message.text()))
    await devSignIn(page, stack.consoleUrl, 'Inloggen als Beleidsmedewerker')
    expect(new URL(page.url()).pathname).toBe('/statistics')
    await checkAccessibility(page, 'statistics')
    const month = new Date().toISOString().slice(0, 7)
    const section = (label: string) =>
      page.locator('section', { has: page.getByRole('heading', { level: 2, name: label, exact: true }) })
    const created = section('Meldingen gedaan')
    const last = created.locator('tbody tr').last()
    expect(await last.textContent()).toContain(month)
    expect(await last.textContent()).toContain('12')
    // The chart: an SVG drawn on the server, labelled for screen readers.
    expect(await created.locator('svg[role="img"] title').first().textContent()).toContain('Meldingen gedaan')
    expect(await created.locator('svg rect').count()).toBeGreaterThan(0)
    // One registration of kind involvement: below the minimum cell, so shown as suppressed, not as 1.
    expect(await section('Matches ontstaan').locator('tbody tr').last().textContent()).toContain('6')
    const byKind = section('Meldingen gedaan, per soort').locator('tbody tr')
    const involvement = await byKind.filter({ hasText: 'Betrokkenheid' }).locator('td').last().textContent()
    expect(involvement).toBe('< 5 (afgeschermd)')
    // And 11 concerns too (secondary suppression): with the total of 12 shown, it would give the 1 away.
    expect(await byKind.filter({ hasText: 'Zorg' }).locator('td').last().textContent()).toBe(
      '< 5 (afgeschermd)',
    )
    // Sectors and measures by name, not by code.
    const sectors = await section('Meldingen gedaan, per sector')
      .locator('tbody tr td:first-child')
      .allTextContents()
    expect(sectors).toEqual(expect.arrayContaining(['Politie', 'Schoolmaatschappelijk werk']))
    expect(sectors.filter((s) => /^[a-z0-9-]+$/.test(s))).toEqual([])
    expect(await page.locator('main h2').allTextContents()).not.toContainEqual(
      expect.stringMatching(/^[a-zA-Z]+\.[a-zA-Z.]+$/),
    )
    expect(scripts.join('\n')).not.toContain('Content Security Policy')
  })

  it('names the figures in English, the console’s second language', async () => {
    const { page } = browser
    await page.goto(`${stack.consoleUrl}/statistics`)
    await page.getByRole('link', { name: 'Switch to English' }).click()
    try {
      await page.waitForURL(/\/statistics$/)
      const heading = (name: string) => page.getByRole('heading', { level: 2, name, exact: true })
      expect(await heading('Registrations made').count()).toBe(1)
      const bySector = page.locator('section', { has: heading('Registrations made, by sector') })
      expect(await bySector.locator('tbody tr td:first-child').allTextContents()).toEqual(
        expect.arrayContaining(['Police', 'School social work']),
      )
      await checkAccessibility(page, 'statistics-en')
    } finally {
      await page.goto(`${stack.consoleUrl}/language?to=nl`)
    }
  })

  it('shows a bad month at its field', async () => {
    const { page } = browser
    await page.goto(`${stack.consoleUrl}/statistics?from=2026-13`)
    expect(await page.locator('#from-error').textContent()).toContain('YYYY-MM')
    await checkAccessibility(page, 'statistics-invalid')
  })

  it('downloads the CSV through the console', async () => {
    const { page } = browser
    const month = new Date().toISOString().slice(0, 7)
    await page.goto(`${stack.consoleUrl}/statistics`)
    const href = await page.getByRole('link', { name: 'Downloaden als CSV' }).getAttribute('href')
    const response = await page.request.get(`${stack.consoleUrl}${href}`)
    expect(response.status()).toBe(200)
    expect(response.headers()['content-type']).toContain('text/csv')
    const csv = await response.text()
    expect(csv.split('\n')[0]).toBe('month,measure,breakdown,key,value')
    expect(csv).toContain(`${month},registrations.created`)
  })
})
