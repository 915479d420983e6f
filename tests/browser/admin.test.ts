import { householdKey } from '@verwijsindex/shared'
import { TEST_SUBJECT_KEY_SECRET } from '@verwijsindex/shared/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type Browser,
  checkAccessibility,
  devSignIn,
  openBrowser,
  posting,
  type Stack,
  startStack,
} from './harness.js'

/**
 * An administrator in a real browser: adds an organisation (an error at its field first), deactivates it,
 * uploads a region version whose error is shown at its place in the document, then the fixed one, and
 * keeps the register of excluded addresses.
 */
describe('web console: an administrator', () => {
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

  it('adds an organisation by keyboard, sees a wrong field at its place, and deactivates it', async () => {
    const { page } = browser
    await devSignIn(page, stack.consoleUrl, 'Inloggen als Beheerder')
    expect(new URL(page.url()).pathname).toBe('/organisations')
    await checkAccessibility(page, 'organisations')
    await page.getByRole('link', { name: 'Nieuwe organisatie' }).click()
    await checkAccessibility(page, 'organisation-new')
    await page.getByLabel('Code').focus()
    await page.keyboard.type('ggd-test')
    await page.keyboard.press('Tab')
    await page.keyboard.type('GGD Test')
    await page.getByLabel('Sector').selectOption('jgz-4-19')
    await page.getByLabel('E-mailadres voor berichten').fill('not-an-address')
    await posting(page, () => page.getByLabel('E-mailadres voor berichten').press('Enter'))
    expect(await page.locator('#email-error').textContent()).toBeTruthy()
    expect(await page.getByLabel('Code').inputValue()).toBe('ggd-test')
    await checkAccessibility(page, 'organisation-invalid')
    expect(await stack.query("select 1 from match.organisations where id = 'ggd-test'")).toEqual([])
    await page.getByLabel('E-mailadres voor berichten').fill('info@ggd-test.example')
    await page.getByLabel('E-mailadres voor berichten').press('Enter')
    await page.waitForURL(/\/organisations\/ggd-test\?saved=1/)
    expect(await page.locator('main').textContent()).toContain('De organisatie is opgeslagen.')
    await checkAccessibility(page, 'organisation-edit')
    const [row] = await stack.query<{ name: string; sector: string; active: boolean }>(
      "select name, sector, active from match.organisations where id = 'ggd-test'",
    )
    expect(row).toEqual({ name: 'GGD Test', sector: 'jgz-4-19', active: true })
    await page.getByRole('button', { name: 'Deactiveren' }).click()
    await page.waitForURL(/saved=deactivated/)
    const [after] = await stack.query<{ active: boolean }>(
      "select active from match.organisations where id = 'ggd-test'",
    )
    expect(after?.active).toBe(false)
    await page.goto(`${stack.consoleUrl}/organisations`)
    expect(await page.locator('main tbody tr', { hasText: 'ggd-test' }).textContent()).toContain(
      'Gedeactiveerd',
    )
  })

  it('shows an upload error at its place in the region document, then stores the fixed version', async () => {
    const { page } = browser
    await page.goto(`${stack.consoleUrl}/regions`)
    await checkAccessibility(page, 'regions')
    await page.getByRole('link', { name: 'eindhoven' }).click()
    await checkAccessibility(page, 'region')
    const textarea = page.getByLabel('Regiodocument (JSON)')
    const original = await textarea.inputValue()
    const broken = JSON.parse(original) as { coordination: { rules: { when: unknown }[] } }
    const index = broken.coordination.rules.length - 1
    ;(broken.coordination.rules[index] as { when: unknown }).when = { involvedd: ['police'] }
    await textarea.fill(JSON.stringify(broken, null, 2))
    await posting(page, () => page.getByRole('button', { name: 'Versie vaststellen' }).click())
    const pointer = `/coordination/rules/${index}/when`
    const errorList = await page.locator('.console-error-list').textContent()
    expect(errorList).toContain(pointer)
    // At its place: the marked line is the rule's misspelt key, and the message sits on it.
    const marked = page.locator('.console-document__line--invalid')
    expect(await marked.count()).toBe(1)
    expect(await marked.locator('code').first().textContent()).toContain('"involvedd"')
    expect(await marked.locator('.console-document__error').textContent()).toContain(pointer)
    await checkAccessibility(page, 'region-invalid')
    expect(
      await stack.query("select 1 from match.region_versions where code = 'eindhoven' and version = 2"),
    ).toEqual([])
    // Fixed: the document as it was, stored as version 2.
    await page.getByLabel('Regiodocument (JSON)').fill(original)
    await page.getByRole('button', { name: 'Versie vaststellen' }).click()
    await page.waitForURL(/saved=1/)
    expect(await page.locator('main').textContent()).toContain('De nieuwe versie is vastgesteld.')
    expect(await page.getByRole('link', { name: 'Versie 1' }).count()).toBe(1)
  })

  it('adds an excluded address, sees it listed by its hash, and removes it by typing it again', async () => {
    const { page, context } = browser
    await page.goto(`${stack.consoleUrl}/organisations`)
    await page.getByRole('navigation').getByRole('link', { name: 'Uitgesloten adressen' }).click()
    await page.waitForURL(/\/excluded-addresses$/)
    expect(await page.locator('main').textContent()).toContain('Er staan nog geen adressen in het register.')
    await checkAccessibility(page, 'excluded-addresses')
    const add = page.locator('form[action="/excluded-addresses"]')
    const remove = page.locator('form[action="/excluded-addresses/remove"]')

    // A postcode that is not Dutch: the error at its field, the house number kept, nothing stored.
    await add.getByLabel('Postcode').fill('0123 AB')
    await add.getByLabel('Huisnummer').fill('12 a')
    await posting(page, () => add.getByRole('button', { name: 'Toevoegen' }).click())
    expect(await page.locator('#postcode-error').textContent()).toBeTruthy()
    expect(await add.getByLabel('Huisnummer').inputValue()).toBe('12 a')
    await checkAccessibility(page, 'excluded-address-invalid')
    expect(await stack.query('select 1 from match.excluded_addresses')).toEqual([])

    // Without the form's CSRF token a post is refused and adds nothing.
    const session = (await context.cookies(stack.consoleUrl)).find((c) => c.name === 'vi_session')
    const forged = await fetch(`${stack.consoleUrl}/excluded-addresses`, {
      method: 'POST',
      headers: {
        cookie: `vi_session=${session?.value}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ postcode: '5611 AB', houseNumber: '12A' }),
      redirect: 'manual',
    })
    expect(forged.status).toBe(403)
    expect(await stack.query('select 1 from match.excluded_addresses')).toEqual([])

    await add.getByLabel('Postcode').fill('5611 AB')
    await add.getByLabel('Postcode').press('Enter')
    await page.waitForURL(/saved=added/)
    expect(await page.getByRole('status').first().textContent()).toContain(
      'Het adres staat nu in het register.',
    )
    const hash = householdKey('5611AB', '12A', TEST_SUBJECT_KEY_SECRET)
    expect(await stack.query('select household_key from match.excluded_addresses')).toEqual([
      { householdKey: hash },
    ])
    const rows = page.locator('main table tbody tr')
    expect(await rows.count()).toBe(1)
    expect(await rows.first().textContent()).toContain(hash)
    expect(await page.locator('main table').textContent()).not.toContain('5611')
    await checkAccessibility(page, 'excluded-addresses-listed')

    // Removed by typing the address again, spelled differently: the same address.
    await remove.getByLabel('Postcode').fill('5611ab')
    await remove.getByLabel('Huisnummer').fill('12A')
    await remove.getByRole('button', { name: 'Verwijderen' }).click()
    await page.waitForURL(/saved=removed/)
    expect(await page.getByRole('status').first().textContent()).toContain('uit het register verwijderd')
    expect(await page.locator('main table').count()).toBe(0)
    expect(await stack.query('select 1 from match.excluded_addresses')).toEqual([])

    // Once more: it is not on the register, said at the form.
    await remove.getByLabel('Postcode').fill('5611 AB')
    await remove.getByLabel('Huisnummer').fill('12a')
    await posting(page, () => remove.getByRole('button', { name: 'Verwijderen' }).click())
    expect(await page.getByRole('alert').textContent()).toContain('Dit adres staat niet in het register.')
    await checkAccessibility(page, 'excluded-address-not-listed')
    const actions = await stack.query<{ action: string; actorId: string }>(
      "select action, actor_id from audit.events where action like 'excluded_address.%' and outcome = 'success' order by id",
    )
    expect(actions.filter((a) => a.action !== 'excluded_address.list')).toEqual([
      { action: 'excluded_address.add', actorId: expect.any(String) },
      { action: 'excluded_address.remove', actorId: expect.any(String) },
    ])
    expect(new Set(actions.map((a) => a.actorId)).size).toBe(1)
  })

  it('explains a case with the rule trace', async () => {
    const { page } = browser
    await page.goto(`${stack.consoleUrl}/regions/eindhoven`)
    await posting(page, () => page.getByRole('button', { name: 'Uitleggen' }).click())
    expect(await page.locator('#outcome').count()).toBe(1)
    expect(await page.locator('main table').last().locator('tbody tr').count()).toBeGreaterThan(0)
    await checkAccessibility(page, 'region-explain')
  })
})
