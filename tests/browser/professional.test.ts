import { generateBsn, professional } from '@verwijsindex/shared/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type Browser,
  checkAccessibility,
  devSignIn,
  openBrowser,
  type Stack,
  startStack,
} from './harness.js'

/**
 * A professional's main path in a real browser: the police registered a child; the school social worker
 * registers the same child in the console, sees the match with the police's contact details, and accepts
 * the coordination by keyboard alone.
 */
describe('web console: a professional', () => {
  let stack: Stack
  let browser: Browser
  const bsn = generateBsn(4101)

  beforeAll(async () => {
    stack = await startStack()
    browser = await openBrowser()
    const police = await fetch(`${stack.urls.match}/v1/registrations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${stack.token(professional('politie-zob'))}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ bsn, birthDate: '2016-05-10', kind: 'involvement' }),
    })
    expect(police.status).toBe(201)
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
  })

  it('signs in on the development page', async () => {
    const { page } = browser
    await page.goto(`${stack.consoleUrl}/`)
    expect(new URL(page.url()).pathname).toBe('/signin')
    await checkAccessibility(page, 'sign-in')
    await devSignIn(page, stack.consoleUrl, 'Inloggen als Professional School Maatschappelijk Werk Eindhoven')
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Te doen')
    await checkAccessibility(page, 'todo-empty')
  })

  it('refuses a BSN that fails the elfproef, at its field, and keeps the other answers', async () => {
    const { page } = browser
    await page.getByRole('link', { name: 'Kind melden' }).click()
    await checkAccessibility(page, 'register')
    await page.getByLabel('BSN van het kind').fill('123456789')
    await page.getByLabel('Geboortedatum').fill('2016-05-10')
    // As typed: the enhancement says it before the form goes.
    expect(await page.locator('#bsn-live').textContent()).toContain('elfproef')
    await page.getByLabel('Betrokkenheid: u bent betrokken bij het kind').check()
    await page.getByRole('button', { name: 'Melden' }).click()
    expect(await page.locator('#bsn-error').textContent()).toBeTruthy()
    expect(await page.getByLabel('Geboortedatum').inputValue()).toBe('2016-05-10')
    await checkAccessibility(page, 'register-invalid')
  })

  it('registers the child the police registered and sees the match', async () => {
    const { page } = browser
    await page.getByLabel('BSN van het kind').fill(bsn)
    await page.getByLabel('Betrokkenheid: u bent betrokken bij het kind').check()
    await page.getByLabel('Uw eigen kenmerk (optioneel)').fill('SMW-0042')
    await page.getByRole('button', { name: 'Melden' }).click()
    expect(await page.getByRole('status').first().textContent()).toContain('Er is een match')
    await checkAccessibility(page, 'registration')
    await page.getByRole('link', { name: 'Bekijk de match' }).click()
    const text = await page.locator('main').textContent()
    expect(text).toContain('Politie Zuidoost-Brabant')
    expect(text).toContain('pro@politie-zob.example')
    expect(text).toContain('Voorgesteld')
    await checkAccessibility(page, 'match')
  })

  it('shows the proposed coordination on the first page', async () => {
    const { page } = browser
    await page.getByRole('link', { name: 'Te doen' }).click()
    expect(await page.locator('main').textContent()).toContain('U bent voorgesteld als regiehouder')
    await checkAccessibility(page, 'todo')
  })

  it('accepts the coordination with the keyboard alone', async () => {
    const { page } = browser
    await page
      .getByRole('link', { name: /Bekijk de match/ })
      .first()
      .click()
    let focused = ''
    for (let i = 0; i < 40 && focused !== 'Regie accepteren'; i++) {
      await page.keyboard.press('Tab')
      focused = await page.evaluate('document.activeElement?.textContent?.trim() ?? ""')
    }
    expect(focused).toBe('Regie accepteren')
    await page.keyboard.press('Enter')
    await page.waitForURL(/done=1/)
    const text = await page.locator('main').textContent()
    expect(text).toContain('Uw actie is verwerkt')
    expect(text).toContain('Geaccepteerd')
    await checkAccessibility(page, 'match-accepted')
  })

  it('lists its registrations and its notifications', async () => {
    const { page } = browser
    await page.getByRole('link', { name: 'Mijn meldingen' }).click()
    expect(await page.locator('main').textContent()).toContain('SMW-0042')
    await checkAccessibility(page, 'registrations')
    await page.getByRole('link', { name: 'Berichten' }).click()
    await checkAccessibility(page, 'notifications')
  })
})
