import { defineConfig } from 'vitest/config';

// One config for the whole suite. Native addons (zeromq) and the embedded PostgreSQL are safer in forked
// workers than in threads; two cores → at most two workers.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    globalSetup: ['test/setup/global.ts'],
  },
});
