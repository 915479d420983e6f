import { describe, expect, it } from 'vitest'
import { lintNlApiDesignRules } from '../../scripts/openapi/check.js'
import { nlApiDesignRules } from '../../scripts/openapi/nl-api-design-rules.js'

/**
 * The ruleset must catch what it claims to: a document that follows every rule has no errors, and each
 * rule reports a document with one planted violation of it. A rule that silently checks nothing fails.
 */
// biome-ignore lint/suspicious/noExplicitAny: the documents are mutated freely here
type Doc = Record<string, any>

const versionHeader = { 'API-Version': { $ref: '#/components/headers/API-Version' } }
const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } }

function compliant(): Doc {
  return {
    openapi: '3.1.0',
    info: {
      title: 'example',
      version: '1.2.3',
      contact: { name: 'team', email: 'team@example.nl', url: 'https://example.nl' },
    },
    servers: [{ url: '/v1' }],
    paths: {
      '/care-plans/{planId}': {
        get: {
          operationId: 'getCarePlan',
          summary: 'Read a plan',
          description: 'One plan.',
          responses: {
            '200': {
              description: 'The plan.',
              headers: versionHeader,
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: { startDate: { type: 'string', description: 'Start.' } },
                  },
                },
              },
            },
            '404': { description: 'Not found.', headers: versionHeader, content: problem },
          },
        },
      },
    },
    components: {
      headers: { 'API-Version': { schema: { type: 'string' } } },
      schemas: {
        Problem: { type: 'object', properties: { title: { type: 'string', description: 'Title.' } } },
      },
    },
  }
}

const op = (d: Doc) => d.paths['/care-plans/{planId}'].get

const planted: Record<string, (d: Doc) => void> = {
  'nlgov:version-header': (d) => {
    delete op(d).responses['200'].headers
  },
  'nlgov:problem-json': (d) => {
    op(d).responses['404'].content = { 'application/json': { schema: { type: 'object' } } }
  },
  'nlgov:uri-version': (d) => delete d.servers,
  'nlgov:uri-version-pattern': (d) => {
    d.servers = [{ url: 'https://api.example.nl' }]
  },
  'nlgov:doc-openapi-contact': (d) => delete d.info.contact.url,
  'nlgov:semver': (d) => {
    d.info.version = 'v1'
  },
  'nlgov:paths-kebab-case': (d) => {
    d.paths['/carePlans'] = d.paths['/care-plans/{planId}']
  },
  'nlgov:no-trailing-slash': (d) => {
    d.paths['/care-plans/'] = d.paths['/care-plans/{planId}']
  },
  'nlgov:http-methods': (d) => {
    d.paths['/care-plans/{planId}'].trace = op(d)
  },
  'nlgov:property-casing': (d) => {
    d.components.schemas.Problem.properties.start_date = { type: 'string', description: 'Start.' }
  },
  'nlgov:schema-pascal-case': (d) => {
    d.components.schemas.problem_details = { type: 'object' }
  },
  'verwijsindex:operation-documented': (d) => delete op(d).description,
  'verwijsindex:property-described': (d) => delete d.components.schemas.Problem.properties.title.description,
}

describe('the NL API Design Rules ruleset', () => {
  it('finds nothing wrong with a compliant document', async () => {
    const { errors, warnings } = await lintNlApiDesignRules(compliant())
    expect([...errors, ...warnings]).toEqual([])
  })

  it('has a planted violation for every rule', () => {
    expect(Object.keys(planted).sort()).toEqual(
      Object.keys((nlApiDesignRules as { rules: object }).rules).sort(),
    )
  })

  it.each(Object.entries(planted))('reports %s', async (rule, plant) => {
    const document = compliant()
    plant(document)
    const { errors, warnings } = await lintNlApiDesignRules(document)
    expect([...errors, ...warnings].map((e) => e.rule)).toContain(rule)
  })
})
