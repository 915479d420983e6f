/**
 * The container runs what `npm run build` compiles, found through the `default` condition of each package's
 * exports; development and tests run the `source` condition. These checks keep the two views in step
 * without compiling anything: every `default` is the file tsc writes for its `source`, every export
 * without one is left out of the build, and the image's entries are files the build writes.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8')
const WORKSPACES = [
  'packages/shared',
  'services/match-service',
  'services/notify-service',
  'services/audit-service',
]

/** The files a tsconfig.build.json compiles, each mapped to the output path tsc gives it. */
function compiled(config: string): Map<string, string> {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, config),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'))
      },
    },
  )
  if (!parsed) throw new Error(`cannot read ${config}`)
  const { rootDir, outDir } = parsed.options
  if (!rootDir || !outDir) throw new Error(`${config} sets no rootDir or outDir`)
  return new Map(
    parsed.fileNames.map((file) => [
      path.relative(ROOT, file),
      path.relative(ROOT, path.join(outDir, path.relative(rootDir, file)).replace(/\.ts$/, '.js')),
    ]),
  )
}

describe('compiled entries', () => {
  it.each(WORKSPACES)('%s: each export compiles to its default, or is development-only', (workspace) => {
    const manifest = JSON.parse(read(`${workspace}/package.json`))
    const build = compiled(`${workspace}/tsconfig.build.json`)
    for (const [name, target] of Object.entries<{ source: string; default?: string }>(manifest.exports)) {
      const source = path.join(workspace, target.source)
      if (target.default) {
        expect(build.get(source), `${workspace} export ${name}`).toBe(path.join(workspace, target.default))
      } else {
        expect(build.has(source), `${workspace} export ${name} has no default, so it is not built`).toBe(
          false,
        )
      }
    }
  })

  it('the image runs files the build writes', () => {
    const scripts = compiled('tsconfig.build.json')
    expect(scripts.get('scripts/migrate.ts')).toBe('dist/migrate.js')
    expect(read('docker-compose.yml')).toContain('command: ["node", "dist/migrate.js"]')
    for (const service of WORKSPACES.filter((w) => w.startsWith('services/'))) {
      expect(compiled(`${service}/tsconfig.build.json`).get(`${service}/src/server.ts`)).toBe(
        `${service}/dist/server.js`,
      )
    }
    expect(read('Dockerfile')).toMatch(/^CMD .*node services\/\$\{SERVICE\}\/dist\/server\.js/m)
    expect(read('Dockerfile')).toMatch(/^RUN npm ci --omit=dev --omit=optional/m)
  })
})
