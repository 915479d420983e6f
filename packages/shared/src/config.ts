import { z } from 'zod'

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback)
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value))

/**
 * Every environment variable the services read, parsed once at start-up. The README documents each.
 * Secrets are optional here because `npm start` fills in development values before parsing; a service
 * started any other way must be given them, and production refuses to run without them.
 */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// connection URL'),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
    SMTP_URL: optionalText.pipe(
      z
        .string()
        .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
        .optional(),
    ),
    MAIL_FROM: z.string().min(3).default('Verwijsindex <noreply@verwijsindex.localhost>'),
    JWT_SECRET: optionalText.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    JWT_PUBLIC_KEY: optionalText.pipe(
      z.string().includes('BEGIN PUBLIC KEY', { message: 'must be a PEM public key' }).optional(),
    ),
    JWKS_URL: optionalText.pipe(z.url().optional()),
    JWT_ISSUER: optionalText,
    JWT_AUDIENCE: optionalText,
    SUBJECT_KEY_SECRET: z.string().min(32, 'must be at least 32 characters'),
    AUDIT_SIGNING_KEY: optionalText.pipe(
      z.string().includes('BEGIN PRIVATE KEY', { message: 'must be a PKCS#8 PEM private key' }).optional(),
    ),
    MATCH_SERVICE_PORT: port(3001),
    NOTIFY_SERVICE_PORT: port(3002),
    AUDIT_SERVICE_PORT: port(3003),
    HOST: z.string().default('127.0.0.1'),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
    // NEN 7513 asks for at least five years of access logging; 1826 days is five years with leap days.
    AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).default(1826),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
    NOTIFY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
    NOTIFY_LANGUAGE: z.enum(['nl', 'en']).default('nl'),
    NOTIFY_WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(120).default(10),
  })
  .superRefine((env, ctx) => {
    const methods = [env.JWT_SECRET, env.JWT_PUBLIC_KEY, env.JWKS_URL].filter(Boolean).length
    if (methods !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SECRET'],
        message: 'set exactly one of JWT_SECRET, JWT_PUBLIC_KEY or JWKS_URL',
      })
    }
    if (env.NODE_ENV === 'production' && env.JWT_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SECRET'],
        message:
          'HS256 shared secrets are for development and tests; use JWT_PUBLIC_KEY or JWKS_URL in production',
      })
    }
    if (env.NODE_ENV === 'production' && !env.AUDIT_SIGNING_KEY) {
      ctx.addIssue({ code: 'custom', path: ['AUDIT_SIGNING_KEY'], message: 'is required in production' })
    }
  })

export type Env = z.infer<typeof envSchema>

export interface Config {
  nodeEnv: Env['NODE_ENV']
  databaseUrl: string
  databasePoolMax: number
  smtpUrl: string | undefined
  mailFrom: string
  jwt: {
    secret: string | undefined
    publicKey: string | undefined
    jwksUrl: string | undefined
    issuer: string | undefined
    audience: string | undefined
  }
  subjectKeySecret: string
  auditSigningKey: string | undefined
  ports: { match: number; notify: number; audit: number }
  host: string
  rateLimitPerMinute: number
  /** Audit events older than this are purged (after a signed checkpoint). */
  auditRetentionDays: number
  logLevel: Env['LOG_LEVEL']
  notify: {
    /** Attempts before a notification is dead (temporary failures only; permanent ones die at once). */
    maxAttempts: number
    /** Notification records hold contact details: purged this many days after creation. */
    retentionDays: number
    language: Env['NOTIFY_LANGUAGE']
    webhookTimeoutSeconds: number
  }
}

export class ConfigError extends Error {
  readonly variables: string[]
  constructor(issues: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}`)
    this.name = 'ConfigError'
    this.variables = issues.map((i) => i.variable)
  }
}

/** Parses the environment; throws a ConfigError that names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? 'environment'),
        message: issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message,
      })),
    )
  }
  const e = parsed.data
  return {
    nodeEnv: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    jwt: {
      secret: e.JWT_SECRET,
      publicKey: e.JWT_PUBLIC_KEY,
      jwksUrl: e.JWKS_URL,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
    },
    subjectKeySecret: e.SUBJECT_KEY_SECRET,
    auditSigningKey: e.AUDIT_SIGNING_KEY,
    ports: { match: e.MATCH_SERVICE_PORT, notify: e.NOTIFY_SERVICE_PORT, audit: e.AUDIT_SERVICE_PORT },
    host: e.HOST,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    logLevel: e.LOG_LEVEL,
    notify: {
      maxAttempts: e.NOTIFY_MAX_ATTEMPTS,
      retentionDays: e.NOTIFY_RETENTION_DAYS,
      language: e.NOTIFY_LANGUAGE,
      webhookTimeoutSeconds: e.NOTIFY_WEBHOOK_TIMEOUT_SECONDS,
    },
  }
}

/** For entry points: a bad environment prints which variables are wrong and exits non-zero. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`)
      process.exit(1)
    }
    throw error
  }
}
