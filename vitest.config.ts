import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts'],
    globalSetup: ['packages/shared/src/testing/global-setup.ts'],
    pool: 'forks',
    // Two cores: more workers than that only queue up, and each opens its own pools.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
