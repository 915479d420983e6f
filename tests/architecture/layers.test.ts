import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * The layers the README promises, checked on the code itself: routes translate HTTP, use cases act for an
 * Actor, every query lives in db/, domain/ is pure. A file that breaks a rule is named in the failure.
 */
const repo = fileURLToPath(new URL('../../', import.meta.url))
const SOURCE_ROOTS = [
  'packages/shared/src',
  'services/match-service/src',
  'services/notify-service/src',
  'services/audit-service/src',
  'services/web-console/src',
]

function sourceFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) return walk(full)
      return entry.name.endsWith('.ts') ? [full] : []
    })
  return walk(path.join(repo, root)).map((file) => path.relative(repo, file))
}

const files = SOURCE_ROOTS.flatMap(sourceFiles).map((file) => ({
  file,
  text: readFileSync(path.join(repo, file), 'utf8'),
}))
const inFolder = (folder: string) => (f: { file: string }) => f.file.split(path.sep).includes(folder)
const offenders = (selected: typeof files, pattern: RegExp) =>
  selected.filter((f) => pattern.test(f.text)).map((f) => f.file)

// Query builders and raw SQL; opening a transaction is a use case's decision and allowed anywhere.
const QUERY =
  /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto|executeQuery)\(|\bsql(<[^>]*>)?`/

describe('layers', () => {
  it('finds the source files it checks', () => {
    expect(files.length).toBeGreaterThan(50)
  })

  it('runs every query in a db/ folder', () => {
    expect(
      offenders(
        files.filter((f) => !inFolder('db')(f)),
        QUERY,
      ),
    ).toEqual([])
  })

  it('keeps domain/ pure: no db/, no HTTP, no database driver', () => {
    const impure = /from '(\.\.?\/)+db\/|from '(fastify|kysely|pg|pg-boss|fastify-type-provider-zod)'/
    expect(offenders(files.filter(inFolder('domain')), impure)).toEqual([])
  })

  it('lets repositories return data, never HTTP problems', () => {
    expect(offenders(files.filter(inFolder('db')), /\b(ProblemError|ruleViolation|sendProblem)\b/)).toEqual(
      [],
    )
  })

  it('keeps routes to HTTP: they call use cases, not repositories (row types aside)', () => {
    const repository = /^import (?!type )(\{[^}]*\}|\w+) from '(\.\.?\/)+db\//m
    expect(offenders(files.filter(inFolder('routes')), repository)).toEqual([])
  })

  it('lets use cases act for an Actor, never a fastify request', () => {
    expect(offenders(files.filter(inFolder('use-cases')), /\bFastifyRequest\b/)).toEqual([])
  })

  it('keeps files to one job: none over 300 lines, mail copy aside', () => {
    const long = files
      .filter((f) => !/\/mail\/copy\./.test(f.file))
      .filter((f) => f.text.split('\n').length > 300)
      .map((f) => f.file)
    expect(long).toEqual([])
  })
})
