import { defineConfig } from 'vitest/config';

// Tests start real servers and real runtime processes: keep two files at a time on this 2-core
// machine, and give each test room (they wait for conditions, they don't race clocks).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
