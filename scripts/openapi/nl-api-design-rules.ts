// biome-ignore-all lint/suspicious/noThenProperty: Spectral rules name their check `then`
import { createRulesetFunction, type RulesetDefinition } from '@stoplight/spectral-core'
import { casing, pattern, schema, truthy } from '@stoplight/spectral-functions'

/**
 * The NL API Design Rules (ADR 2.0, Logius: https://logius-standaarden.github.io/API-Design-Rules/) as a
 * Spectral ruleset of the project's own, written from the published rules and the linter Logius and
 * developer.overheid.nl publish for them. Stricter than that linter where the project promises more:
 * `API-Version` on every response (not only 2xx/3xx), and problem+json on every 4xx/5xx as an error.
 * Deliberate departures (English names; the problem extension members `code` and `errors`) are in
 * docs/integrators.md. Every rule has a planted violation in tests/contract/nl-api-design-rules.test.ts.
 */
/** A property is described itself, or is a `$ref` to a described schema (3.1 allows a description beside it). */
const propertyDescribed = createRulesetFunction<Record<string, unknown>, null>(
  { input: { type: 'object' }, options: null },
  (property, _options, context) => {
    if (typeof property.description === 'string' && property.description.length > 0) return []
    return [{ message: `property ${context.path.join('.')} has no description` }]
  },
)

const ADR = 'https://logius-standaarden.github.io/API-Design-Rules/'

const SEMVER =
  '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$'

/** A path of kebab-case segments and `{camelCase}` parameters; `/openapi.json` is the published document. */
const KEBAB_PATH = '^(/([a-z0-9]+(-[a-z0-9]+)*|\\{[a-z][a-zA-Z0-9]*\\}|openapi\\.json))+$|^/$'

export const nlApiDesignRules: RulesetDefinition = {
  documentationUrl: ADR,
  description: 'NL API Design Rules (ADR 2.0), as verwijsindex applies them',
  rules: {
    'nlgov:version-header': {
      description: '/core/version-header: return the full version number in an API-Version response header',
      severity: 'error',
      given: '$.paths[*][get,put,post,delete,patch].responses[*]',
      then: { field: 'headers.API-Version', function: truthy },
      message: '/core/version-header: every response declares the API-Version header ({{path}})',
    },
    'nlgov:problem-json': {
      description: '/core/error-handling/problem-details: every 4xx/5xx answers application/problem+json',
      severity: 'error',
      given: '$.paths[*][get,put,post,delete,patch].responses[?(@property && @property.match(/^[45]/))]',
      then: {
        field: 'content',
        function: schema,
        functionOptions: {
          schema: {
            type: 'object',
            required: ['application/problem+json'],
            propertyNames: { const: 'application/problem+json' },
          },
        },
      },
      message:
        '/core/error-handling/problem-details: error responses are application/problem+json only ({{path}})',
    },
    'nlgov:uri-version': {
      description: '/core/uri-version: the servers include the major version in the URI',
      severity: 'error',
      given: '$',
      then: { field: 'servers', function: truthy },
      message: '/core/uri-version: declare servers with the major version (e.g. /v1)',
    },
    'nlgov:uri-version-pattern': {
      description: '/core/uri-version: every server URL ends with the major version',
      severity: 'error',
      given: '$.servers[*]',
      then: { field: 'url', function: pattern, functionOptions: { match: '/v\\d+$' } },
      message: '/core/uri-version: server URL {{value}} does not end with the major version',
    },
    'nlgov:doc-openapi-contact': {
      description: '/core/doc-openapi-contact: info.contact with name, email and url',
      severity: 'error',
      given: '$.info',
      then: {
        field: 'contact',
        function: schema,
        functionOptions: {
          schema: {
            type: 'object',
            required: ['name', 'email', 'url'],
            properties: { name: { minLength: 1 }, email: { minLength: 3 }, url: { minLength: 8 } },
          },
        },
      },
      message: '/core/doc-openapi-contact: info.contact needs name, email and url',
    },
    'nlgov:semver': {
      description: '/core/semver: info.version is a semantic version',
      severity: 'error',
      given: '$.info',
      then: { field: 'version', function: pattern, functionOptions: { match: SEMVER } },
      message: '/core/semver: info.version {{value}} is not a semantic version',
    },
    'nlgov:paths-kebab-case': {
      description: '/core/naming-resources: path segments are kebab-case, parameters camelCase',
      severity: 'error',
      given: '$.paths[*]~',
      then: { function: pattern, functionOptions: { match: KEBAB_PATH } },
      message: '/core/naming-resources: {{value}} is not kebab-case',
    },
    'nlgov:no-trailing-slash': {
      description: '/core/no-trailing-slash: leave off trailing slashes from URIs',
      severity: 'error',
      given: '$.paths[*]~',
      then: { function: pattern, functionOptions: { notMatch: '.+/$' } },
      message: '/core/no-trailing-slash: {{value}} ends with a slash',
    },
    'nlgov:http-methods': {
      description: '/core/http-methods: only the standard methods',
      severity: 'error',
      given: '$.paths[*]',
      then: {
        function: schema,
        functionOptions: {
          schema: {
            type: 'object',
            propertyNames: {
              enum: [
                'get',
                'put',
                'post',
                'delete',
                'patch',
                'parameters',
                'summary',
                'description',
                'servers',
              ],
            },
          },
        },
      },
      message: '/core/http-methods: only GET, PUT, POST, DELETE and PATCH are used',
    },
    'nlgov:property-casing': {
      description: 'Properties are lowerCamelCase (ADR naming convention)',
      severity: 'error',
      given: '$..properties',
      then: { field: '@key', function: casing, functionOptions: { type: 'camel' } },
      message: 'property {{property}} is not lowerCamelCase',
    },
    'nlgov:schema-pascal-case': {
      description: 'Component schema names are PascalCase',
      severity: 'error',
      given: '$.components.schemas[*]~',
      then: { function: casing, functionOptions: { type: 'pascal' } },
      message: 'schema name {{value}} is not PascalCase',
    },
    // The project's own, beyond ADR: a contract integrators can read without the code.
    'verwijsindex:operation-documented': {
      description: 'Every operation has an operationId, a summary and a description',
      severity: 'error',
      given: '$.paths[*][get,put,post,delete,patch]',
      then: [
        { field: 'operationId', function: truthy },
        { field: 'summary', function: truthy },
        { field: 'description', function: truthy },
      ],
      message: 'operation {{path}}: {{error}}',
    },
    // A warning until every property is described (the count is in the contract test's output).
    'verwijsindex:property-described': {
      description: 'Every schema property has a description',
      severity: 'warn',
      given: '$..properties[*]',
      then: { function: propertyDescribed },
      message: '{{error}}',
    },
  },
}
