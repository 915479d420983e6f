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

/** A URL without its query string when that carries anything: a token sent there must not reach a log. */
export function loggableUrl(url: string | undefined): string | undefined {
  const q = url?.indexOf('?') ?? -1
  return url === undefined || q === -1 ? url : `${url.slice(0, q)}?[redacted]`
}

interface LoggedRequest {
  method?: string
  url?: string
  host?: string
  ip?: string
  socket?: { remotePort?: number }
}

export function loggerOptions(level: string, name?: string): LoggerOptions {
  return {
    level,
    ...(name ? { name } : {}),
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      // Query strings are left out of logs whole: filters name organisations and people, and a client
      // that puts its token there (refused with 400) must not have it kept in a log line.
      req: (req: LoggedRequest) => ({
        method: req.method,
        url: loggableUrl(req.url),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
  }
}

export function createLogger(level: string, name?: string, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(level, name), destination) : pino(loggerOptions(level, name))
}

export type { Logger }
