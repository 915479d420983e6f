import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { buildAuditService } from '@verwijsindex/audit-service'
import { buildMatchService } from '@verwijsindex/match-service'
import { loadDemo } from '@verwijsindex/match-service/demo'
import { buildNotifyService } from '@verwijsindex/notify-service'
import { type Config, createDb, type TokenClaims } from '@verwijsindex/shared'
import {
  createTestDatabase,
  signToken,
  TEST_JWT_SECRET,
  type TestDatabase,
  testConfig,
} from '@verwijsindex/shared/testing'
import { buildWebConsole } from '@verwijsindex/web-console'
import type { FastifyInstance } from 'fastify'
import { CompiledQuery } from 'kysely'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { expect } from 'vitest'

/** A port nobody listens on now (for a server whose address must be known before it starts). */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  return typeof address === 'object' && address ? address.port : 0
}

/** Debian's chromium (installed by .ci/run when missing), headless, with a fresh profile per run. */
export const CHROMIUM = '/usr/bin/chromium'
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
/** Screenshots of the main pages, kept as CI artefacts (the folder is .gitignored). */
export const ARTIFACTS = path.resolve('test-artifacts/browser')

export interface Stack {
  database: TestDatabase
  config: Config
  consoleUrl: string
  urls: { match: string; notify: string; audit: string }
  apps: FastifyInstance[]
  /** Every log line the four services wrote (to prove what never appears in a log). */
  logs: string[]
  token(claims: Partial<TokenClaims>): string
  /** A query on the test database (to check what the APIs did). */
  query<T>(sql: string, params?: unknown[]): Promise<T[]>
  close(): Promise<void>
}

/** The three services and the console on one test database with the demo loaded, on free ports. */
export async function startStack(
  env: Record<string, string> = {},
  options: { consoleEnv?: Record<string, string>; consolePort?: number } = {},
): Promise<Stack> {
  const database = await createTestDatabase()
  const base = testConfig(database.url, { TRUSTED_PROXIES: '127.0.0.1,::1', ...env })
  await loadDemo(base)
  const apps: FastifyInstance[] = []
  const logs: string[] = []
  const logStream = { write: (line: string) => void logs.push(line) }
  const listen = async (app: FastifyInstance, port = 0) => {
    apps.push(app)
    await app.listen({ port, host: '127.0.0.1' })
    const address = app.server.address()
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  }
  const urls = {
    match: await listen(await buildMatchService({ config: base, logStream })),
    notify: await listen(await buildNotifyService({ config: base, logStream })),
    audit: await listen(await buildAuditService({ config: base, logStream })),
  }
  const config = testConfig(database.url, {
    TRUSTED_PROXIES: '127.0.0.1,::1',
    MATCH_SERVICE_URL: urls.match,
    NOTIFY_SERVICE_URL: urls.notify,
    AUDIT_SERVICE_URL: urls.audit,
    ...env,
    ...options.consoleEnv,
  })
  const consoleUrl = await listen(await buildWebConsole({ config, logStream }), options.consolePort)
  return {
    database,
    config,
    consoleUrl,
    urls,
    apps,
    logs,
    token: (claims) => signToken(claims, TEST_JWT_SECRET),
    async query<T>(text: string, params: unknown[] = []) {
      const db = createDb<Record<string, never>>(database.url, { max: 1 })
      try {
        return (await db.executeQuery<T>(CompiledQuery.raw(text, params))).rows
      } finally {
        await db.destroy()
      }
    },
    async close() {
      for (const app of apps.reverse()) await app.close()
      await database.drop()
    },
  }
}

export interface Browser {
  context: BrowserContext
  page: Page
  close(): Promise<void>
}

export async function openBrowser(): Promise<Browser> {
  const profile = await mkdtemp(path.join(tmpdir(), 'console-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    acceptDownloads: true,
  })
  const page = context.pages()[0] ?? (await context.newPage())
  return {
    context,
    page,
    async close() {
      await context.close()
      await rm(profile, { recursive: true, force: true })
    },
  }
}

const axeSource = await import('node:fs/promises').then((fs) =>
  fs.readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'),
)

export interface AxeResult {
  page: string
  serious: { id: string; impact: string; help: string; nodes: string[] }[]
  total: number
}
export const axeResults: AxeResult[] = []

/**
 * axe-core on the page as it stands (WCAG 2.1 A and AA rules): no serious or critical violation. The script
 * is evaluated over the DevTools protocol, which the page's CSP does not govern.
 */
export async function checkAccessibility(page: Page, name: string): Promise<void> {
  await page.evaluate(axeSource)
  const result = (await page.evaluate(() =>
    (globalThis as unknown as { axe: { run(o: unknown): Promise<unknown> } }).axe.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    }),
  )) as { violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }
  const serious = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }))
  axeResults.push({ page: name, serious, total: result.violations.length })
  await mkdir(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true })
  await writeFile(path.join(ARTIFACTS, `${name}.axe.json`), JSON.stringify(result.violations, null, 2))
  expect(serious, `axe on ${name}`).toEqual([])
}

/** Signs in on the development page as the named demo user (button text). */
export async function devSignIn(page: Page, consoleUrl: string, who: string): Promise<void> {
  await page.goto(`${consoleUrl}/signin`)
  await page.getByRole('button', { name: who, exact: true }).click()
  await page.waitForLoadState()
}

/** The text of a PDF, page by page, as a reader (pdf.js) extracts it. */
export async function pdfText(data: Uint8Array): Promise<string> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs')
  const pdf = await getDocument({ data, useSystemFonts: true, isEvalSupported: false }).promise
  const pages: string[] = []
  for (let i = 1; i <= pdf.numPages; i++) {
    const content = await (await pdf.getPage(i)).getTextContent()
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '))
  }
  await pdf.destroy()
  return pages.join('\n').replace(/\s+/g, ' ')
}

/** A call to a service's API as the given person (test set-up, not the console). */
export async function apiCall(
  url: string,
  token: string,
  method = 'GET',
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  const text = await response.text()
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}

/** Does `act` (a click or Enter that posts a form) and waits until the page the POST answered has loaded. */
export async function posting(page: Page, act: () => Promise<void>): Promise<void> {
  await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), act()])
  await page.waitForLoadState()
}
