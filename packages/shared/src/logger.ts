import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino'

/** Fields that identify a child or a household; they must never reach a log line, at any depth. */
export const SENSITIVE_FIELDS = ['bsn', 'birthDate', 'postcode', 'houseNumber'] as const

const MAX_DEPTH = 6

function sensitivePaths(): string[] {
  const paths: string[] = []
  for (const field of SENSITIVE_FIELDS) {
    let prefix = ''
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      paths.push(`${prefix}${field}`)
      prefix += '*.'
    }
  }
  return paths
}

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.headers.authorization',
  ...sensitivePaths(),
]

export function loggerOptions(level: string, name?: string): LoggerOptions {
  return {
    level,
    ...(name ? { name } : {}),
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  }
}

export function createLogger(level: string, name?: string, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(level, name), destination) : pino(loggerOptions(level, name))
}

export type { Logger }
