export * from './bsn.js'
export * from './config.js'
export * from './database.js'
export * from './tokens.js'
