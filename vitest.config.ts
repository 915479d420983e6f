import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Workspace packages export their TypeScript sources under the `source` condition (compiled dist/ otherwise):
  // tests run the sources, like `npm start`. Vitest adds its default server conditions (node, development) to this one.
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'tests/**/*.test.ts'],
    globalSetup: ['packages/shared/src/testing/global-setup.ts'],
    pool: 'forks',
    // Two cores, three workers: test files spend much of their time waiting on PostgreSQL, so one worker
    // more than the cores keeps both busy; more than that only queue up, and each opens its own pools.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
