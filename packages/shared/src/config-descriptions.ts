import type { Env } from './config.js'

/**
 * What each variable is for, in the words an operator reads: docs/operations.md's configuration table is
 * generated from these and the schema's defaults (`npm run docs`). Conditions the schema checks across
 * variables (exactly one JWT setting; production's extra demands) are stated here too.
 */
export const ENV_DESCRIPTIONS = {
  NODE_ENV:
    '`production` refuses missing secrets and HS256 tokens instead of generating or accepting them, and accepts only public `https` webhook URLs.',
  DATABASE_URL:
    'PostgreSQL connection URL. `npm start` runs an embedded PostgreSQL when it is unset; a service started any other way needs it.',
  DATABASE_POOL_MAX:
    "Connections in each service process's own pool; each process also opens 2 for its queue (pg-boss), so the three services of one `npm start` hold at most 3 × HTTP_PROCESSES × (DATABASE_POOL_MAX + 2). See the connection budget.",
  DATABASE_ACQUIRE_TIMEOUT_MS:
    'How long a request waits for a pooled connection (or a new one to open) before it is answered 503 `unavailable`.',
  DATABASE_STATEMENT_TIMEOUT_MS:
    'PostgreSQL `statement_timeout` of every service connection: a statement running longer is cancelled and its request answered 503. 0 switches it off.',
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS:
    'PostgreSQL `idle_in_transaction_session_timeout`: a transaction left idle this long (a stalled or vanished request) is ended by the server and its locks freed. 0 switches it off.',
  REQUEST_DEADLINE_MS:
    'A request not answered within this (a stalled database) is answered 503 `unavailable` with Retry-After, and its transaction rolls back instead of committing unseen (unless its commit was already on the way), so retry with the same Idempotency-Key. Long-running audit routes (verify, the streamed export) are exempt.',
  DATABASE_PREPARED_STATEMENTS:
    '`true` (default): each connection prepares the statements it runs once, so the server parses and plans them once per connection. Set `false` behind a connection pooler in transaction mode that cannot keep prepared statements.',
  DATABASE_READY_TIMEOUT_MS:
    '`/health/ready` answers 503 when the database does not answer its ping within this.',
  AUDIT_EXPORT_STATEMENT_TIMEOUT_MS:
    "`statement_timeout` for the audit export's batch reads (each batch is one statement; the export itself may run longer). 0 switches it off.",
  SMTP_URL:
    '`smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465` (TLS); TLS options as query parameters, e.g. `?requireTLS=true`. Unset: `npm start` runs a mail catcher; a standalone notify-service keeps mail pending.',
  MAIL_FROM: 'Sender of every mail; its domain is also the domain of each Message-ID.',
  JWT_SECRET:
    'HS256 secret (at least 32 characters) for development and tests; refused in production. Set exactly one of `JWT_SECRET`, `JWT_PUBLIC_KEY` and `JWKS_URL`; `npm start` generates one.',
  JWT_PUBLIC_KEY:
    'PEM public key for RS256/ES256 tokens (production); exactly one of the three JWT settings.',
  JWKS_URL:
    "The identity provider's JWKS endpoint for RS256/ES256 tokens (production); exactly one of the three JWT settings.",
  JWT_ISSUER: "When set, a token's `iss` must equal it.",
  JWT_AUDIENCE: "When set, a token's `aud` must contain it.",
  SUBJECT_KEY_SECRET:
    'HMAC key (at least 32 characters) that turns a BSN into the subject key. Never change or lose it: start-up refuses a key that does not match the fingerprint in the database. `npm start` generates one for development.',
  AUDIT_SIGNING_KEY:
    'Ed25519 private key (PKCS#8 PEM) that signs audit checkpoints; required in production. `npm start` generates one for development.',
  AUDIT_PREVIOUS_PUBLIC_KEYS:
    'After a key rotation: the public halves (SPKI PEM, concatenated) of earlier signing keys, so checkpoints they signed still verify. Never drop a key while checkpoints it signed are kept.',
  MATCH_SERVICE_PORT: "match-service's listening port.",
  NOTIFY_SERVICE_PORT: "notify-service's listening port.",
  AUDIT_SERVICE_PORT: "audit-service's listening port.",
  WEB_CONSOLE_PORT: "web-console's listening port.",
  WEB_CONSOLE_URL:
    "The console's address as browsers reach it (`https://verwijsindex.example`): the OpenID Connect redirect address is built from it, and cookies are `Secure` unless it is plain `http` on localhost. Unset: `http://HOST:WEB_CONSOLE_PORT`.",
  MATCH_SERVICE_URL: 'Where the console reaches match-service. Unset: `http://127.0.0.1:MATCH_SERVICE_PORT`.',
  NOTIFY_SERVICE_URL:
    'Where the console reaches notify-service. Unset: `http://127.0.0.1:NOTIFY_SERVICE_PORT`.',
  AUDIT_SERVICE_URL: 'Where the console reaches audit-service. Unset: `http://127.0.0.1:AUDIT_SERVICE_PORT`.',
  TRUSTED_PROXIES:
    "Comma-separated addresses or CIDR ranges (the console's, a load balancer's) whose `X-Forwarded-For` the services believe, so the audit trail records the browser's address. Unset: no forwarding header is believed.",
  OIDC_ISSUER:
    'The identity provider the console signs people in with (OpenID Connect, authorization code with PKCE); its access tokens must be the JWTs the services verify. Required for the console in production; unset in development, the console offers the demo users instead.',
  OIDC_CLIENT_ID: "The console's client id at the identity provider (with `OIDC_ISSUER`).",
  OIDC_CLIENT_SECRET: "The console's client secret at the identity provider (with `OIDC_ISSUER`).",
  HOST: 'Listening address (`0.0.0.0` in containers).',
  HTTP_PROCESSES:
    "Processes serving each of match-, notify- and audit-service's ports (node:cluster; the console always runs in one). Above 1 a service uses more cores of one machine, as replicas would: the primary only supervises and replaces a process that dies, exactly one process also runs the background work (queues, schedules, the audit sealer), and each holds a pool of its own, so a service holds HTTP_PROCESSES × (DATABASE_POOL_MAX + 2) connections. Per-process limits count per process, like per replica: RATE_LIMIT_PER_MINUTE and AUDIT_EXPORT_CONCURRENCY. Default 1: one process, no primary.",
  RATE_LIMIT_PER_MINUTE: 'Requests per minute per token subject (per client address without a valid token).',
  TOKEN_MAX_LIFETIME_SECONDS:
    'Longest token lifetime accepted (`exp` minus `iat`, or `exp` minus now without `iat`); tokens without `exp` are refused. Default 43200 (12 hours).',
  AUDIT_RETENTION_DAYS:
    'Audit events older than this are purged nightly, after a signed checkpoint. NEN 7513 asks for at least five years.',
  LOG_LEVEL: 'Application log level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`.',
  NOTIFY_MAX_ATTEMPTS:
    'Delivery attempts before a notification is dead (8: retried for 6 to 12 hours). Permanent failures die at once.',
  NOTIFY_RETENTION_DAYS:
    'Notification records hold contact details: purged this many days after they were made.',
  NOTIFY_LANGUAGE: 'Language of notification mail: `nl` or `en`.',
  NOTIFY_WEBHOOK_TIMEOUT_SECONDS:
    'A webhook receiver must answer within this, or the attempt counts as a temporary failure.',
  STATISTICS_MIN_CELL:
    'Region statistics publish no count from 1 to this minus one (nor a rate or median on a smaller base); such cells are null.',
  NOTIFY_DIGEST_SECONDS:
    'Digest window for e-mail, in seconds (0 = off): a change for an address that already has a mail waiting in its window joins that mail instead of making another; the mail goes when the window opened by its first change ends. Mail about one change is always one message per address; webhooks always get one delivery per event.',
  NOTIFY_ALLOW_PRIVATE_WEBHOOKS:
    '`true` lets webhooks target loopback and private addresses (a local receiver in development); ignored in production. Default `false`.',
  NOTIFY_SEND_CONCURRENCY:
    'Messages (e-mails and webhook deliveries) one notify-service replica sends at the same time, and the SMTP pool size (an SMTP_URL `?maxConnections=` wins). Default 10 (on 2 cores up to about 500 mails a second to a local SMTP server; docs/operations.md §8).',
  AUDIT_EXPORT_CONCURRENCY:
    'Audit exports one caller may run at the same time (each holds a database connection while it streams). Default 1.',
} as const satisfies Record<keyof Env, string>
