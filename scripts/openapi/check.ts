import SwaggerParser from '@apidevtools/swagger-parser'
import { createConfig, lintFromString } from '@redocly/openapi-core'
import { Spectral } from '@stoplight/spectral-core'
import { nlApiDesignRules } from './nl-api-design-rules.js'

/**
 * The contract checks an OpenAPI document must pass, all offline: unresolved local references,
 * swagger-parser's validation, Redocly's recommended ruleset and the project's NL API Design Rules ruleset.
 */
export interface Finding {
  rule: string
  message: string
  path: string
}

export interface ContractReport {
  unresolvedRefs: string[]
  /** swagger-parser's verdict: undefined when valid, else its message. */
  swaggerParser: string | undefined
  redocly: { errors: Finding[]; warnings: Finding[] }
  nlApiDesignRules: { errors: Finding[]; warnings: Finding[] }
}

/** Every local `$ref` whose JSON Pointer leads nowhere in the document. */
export function unresolvedRefs(document: unknown): string[] {
  const missing: string[] = []
  const resolve = (pointer: string): boolean => {
    let node: unknown = document
    for (const raw of pointer.slice(2).split('/')) {
      const token = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~')
      if (node === null || typeof node !== 'object' || !(token in node)) return false
      node = (node as Record<string, unknown>)[token]
    }
    return true
  }
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const entry of node) walk(entry)
      return
    }
    if (node === null || typeof node !== 'object') return
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/') && !resolve(value)) {
        missing.push(value)
      } else walk(value)
    }
  }
  walk(document)
  return missing
}

export async function swaggerParserVerdict(document: unknown): Promise<string | undefined> {
  try {
    await SwaggerParser.validate(structuredClone(document) as never)
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

let redoclyConfig: ReturnType<typeof createConfig> | undefined

export async function redoclyRecommended(document: unknown): Promise<ContractReport['redocly']> {
  redoclyConfig ??= createConfig({ extends: ['recommended'] })
  const problems = await lintFromString({
    source: JSON.stringify(document, null, 2),
    absoluteRef: 'openapi.json',
    config: await redoclyConfig,
  })
  const findings = (severity: string) =>
    problems
      .filter((p) => p.severity === severity)
      .map((p) => ({ rule: p.ruleId, message: p.message, path: p.location[0]?.pointer ?? '' }))
  return { errors: findings('error'), warnings: findings('warn') }
}

export async function lintNlApiDesignRules(document: unknown): Promise<ContractReport['nlApiDesignRules']> {
  const spectral = new Spectral()
  spectral.setRuleset(nlApiDesignRules)
  const results = await spectral.run(JSON.stringify(document, null, 2))
  // Spectral's own severities: 0 error, 1 warning.
  const findings = (severity: number) =>
    results
      .filter((r) => r.severity === severity)
      .map((r) => ({ rule: String(r.code), message: r.message, path: r.path.join('.') }))
  return { errors: findings(0), warnings: findings(1) }
}

export async function checkContract(document: unknown): Promise<ContractReport> {
  return {
    unresolvedRefs: unresolvedRefs(document),
    swaggerParser: await swaggerParserVerdict(document),
    redocly: await redoclyRecommended(document),
    nlApiDesignRules: await lintNlApiDesignRules(document),
  }
}

/** One line per service for a person: the counts. */
export function summarise(name: string, report: ContractReport): string {
  return [
    `${name}:`,
    `unresolved refs ${report.unresolvedRefs.length},`,
    `swagger-parser ${report.swaggerParser ? 'FAIL' : 'ok'},`,
    `redocly ${report.redocly.errors.length} errors / ${report.redocly.warnings.length} warnings,`,
    `NL ADR ${report.nlApiDesignRules.errors.length} errors / ${report.nlApiDesignRules.warnings.length} warnings`,
  ].join(' ')
}
