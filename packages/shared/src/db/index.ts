// packages/shared's own queries: the audit writer, the organisation check, the subject-key fingerprint,
// Idempotency-Key records and the keyset condition lists share.
export * from './audit-events.js'
export * from './compiled-once.js'
export * from './idempotency-keys.js'
export * from './keyset.js'
export * from './organisations.js'
export * from './pipelined.js'
export * from './pool.js'
export * from './queue-transaction.js'
export * from './request-scope.js'
export * from './subject-key-fingerprint.js'
export * from './tables.js'
