import { readFile } from 'node:fs/promises'
import { generateBsn, professional } from '@verwijsindex/shared/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  apiCall,
  type Browser,
  checkAccessibility,
  devSignIn,
  openBrowser,
  pdfText,
  posting,
  type Stack,
  startStack,
} from './harness.js'

/**
 * A privacy officer answers a parent's request in a real browser: looks the child up by BSN (by keyboard),
 * sees what is held and who accessed it, downloads the printable access report, and erases the data after
 * a confirmation step. The BSN never appears in a URL or a log line.
 */
describe('web console: a privacy officer', () => {
  let stack: Stack
  let browser: Browser
  const bsn = generateBsn(4201)
  const urls: string[] = []
  let registrationId = ''
  let matchId = ''

  beforeAll(async () => {
    stack = await startStack({ LOG_LEVEL: 'info' })
    browser = await openBrowser()
    browser.page.on('request', (request) => urls.push(request.url()))
    const police = stack.token(professional('politie-zob'))
    const first = await apiCall(`${stack.urls.match}/v1/registrations`, police, 'POST', {
      bsn,
      birthDate: '2015-03-01',
      kind: 'concern',
    })
    expect(first.status).toBe(201)
    registrationId = first.body.id as string
    const school = await apiCall(
      `${stack.urls.match}/v1/registrations`,
      stack.token(professional('smw-eindhoven')),
      'POST',
      { bsn, birthDate: '2015-03-01', kind: 'involvement' },
    )
    expect(school.status).toBe(201)
    matchId = school.body.matchId as string
    expect(matchId).toBeTruthy()
    expect((await apiCall(`${stack.urls.match}/v1/matches/${matchId}`, police)).status).toBe(200)
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
  })

  it('looks a child up by keyboard and sees what is held and who accessed it', async () => {
    const { page } = browser
    await devSignIn(page, stack.consoleUrl, 'Inloggen als Privacyfunctionaris')
    expect(new URL(page.url()).pathname).toBe('/subjects')
    await checkAccessibility(page, 'subject-lookup')
    await page.getByLabel('BSN van het kind').focus()
    await page.keyboard.type(bsn)
    await posting(page, () => page.keyboard.press('Enter'))
    const text = (await page.locator('main').textContent()) ?? ''
    expect(text).toContain('Politie Zuidoost-Brabant')
    expect(text).toContain('School Maatschappelijk Werk Eindhoven')
    expect(text).toContain('pro@politie-zob.example')
    // Who accessed it, in words: the audit catalogue's codes named.
    expect(text).toContain('Match bekeken')
    expect(text).toContain('Melding gedaan')
    expect(text).not.toContain('registration.create')
    await checkAccessibility(page, 'subject')
  })

  it('downloads a printable access report in plain Dutch without internal ids', async () => {
    const { page } = browser
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Inzageoverzicht downloaden (PDF)' }).click(),
    ])
    expect(download.suggestedFilename()).toMatch(/^inzage-verwijsindex-\d{4}-\d{2}-\d{2}\.pdf$/)
    const pdf = await readFile((await download.path()) as string)
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    const text = await pdfText(new Uint8Array(pdf))
    expect(text).toContain('Overzicht van uw gegevens in de verwijsindex')
    expect(text).toContain('Politie Zuidoost-Brabant meldde zorg over het kind')
    expect(text).toContain('School Maatschappelijk Werk Eindhoven')
    expect(text).toContain('heeft de samenwerking bekeken')
    expect(text).toContain('Jeugdwet (paragraaf 7.1.4')
    expect(text).toContain('AVG, artikel 15')
    expect(text).toContain('AVG artikel 21')
    expect(text).toContain('1 maart 2015')
    // Organisations by name (their ids appear only inside the contact's e-mail address); no person's id.
    for (const internal of [bsn, registrationId, matchId, 'dev-privacy_officer', 'match.read'])
      expect(text).not.toContain(internal)
  })

  it('erases only after the confirmation step', async () => {
    const { page } = browser
    await page.getByLabel('Reden van wissen').selectOption('objection')
    await page.getByRole('button', { name: 'Gegevens wissen' }).click()
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Weet u het zeker?')
    await checkAccessibility(page, 'subject-erase-confirm')
    // Not yet erased: the police still reads its registration.
    const police = stack.token(professional('politie-zob'))
    expect((await apiCall(`${stack.urls.match}/v1/registrations/${registrationId}`, police)).status).toBe(200)
    await page.getByRole('button', { name: 'Ja, wis de gegevens' }).click()
    expect(await page.getByRole('status').first().textContent()).toContain('gewist')
    expect(await page.locator('main').textContent()).toContain('Gewist: 2 melding(en) en 1 match(es).')
    await checkAccessibility(page, 'subject-erased')
    expect((await apiCall(`${stack.urls.match}/v1/registrations/${registrationId}`, police)).status).toBe(404)
    const erased = await stack.query<{ actorId: string }>(
      "select actor_id from audit.events where action = 'subject.erase'",
    )
    expect(erased.map((e) => e.actorId)).toEqual(['dev-privacy_officer'])
  })

  it('never puts the BSN in a URL or a log line', () => {
    expect(urls.length).toBeGreaterThan(5)
    expect(urls.filter((u) => u.includes(bsn))).toEqual([])
    expect(stack.logs.length).toBeGreaterThan(10)
    expect(stack.logs.filter((line) => line.includes(bsn))).toEqual([])
  })
})
