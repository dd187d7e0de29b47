import { defineConfig } from 'vitest/config';

// The API suites that start servers run a second time on PostgreSQL (issue 15): same tests, the
// stores behind --database-url (test/helpers/database.ts gives each data folder a fresh
// database). They need LAMBKIN_TEST_DATABASE_URL; without it they are left out with a message,
// except in CI, where they run and fail (a skip there would hide an untested implementation).
const POSTGRES_SUITES = [
  'test/e2e/core-*.test.ts', 'test/e2e/lifecycle-*.test.ts', 'test/e2e/logs-*.test.ts',
  // The async queue's and the console store's suites that restart a server on the same store.
  'test/e2e/async-*.test.ts', 'test/e2e/console-history.test.ts',
  'test/e2e/layers.test.ts', 'test/e2e/infra-tools.test.ts',
];
// The spread runs (issue 16): these suites once more with every server a 3-node cluster
// (test/helpers/spread.ts) whose SDK clients send each request to the next node; a stop, kill or
// restart acts on every node. The whole core, lifecycle and logs set takes ~12 min more on this
// machine, so the run is the files that check what a cluster changes (docs/cluster.md, "Tests").
const CLUSTER_SUITES = [
  'test/e2e/core-control-plane.test.ts', 'test/e2e/core-bad-input.test.ts',
  'test/e2e/lifecycle-versions.test.ts', 'test/e2e/lifecycle-urls.test.ts',
  'test/e2e/logs-cli.test.ts', 'test/e2e/logs-insights.test.ts', 'test/e2e/logs-live-tail.test.ts',
  'test/e2e/logs-subscriptions.test.ts', 'test/e2e/logs-groups.test.ts', 'test/e2e/logs-order.test.ts',
  // Warm affinity and limits across the nodes (docs/cluster.md, "Dispatch").
  'test/e2e/core-invoke.test.ts', 'test/e2e/core-environments.test.ts', 'test/e2e/logs-capture.test.ts',
  'test/e2e/logs-disabled.test.ts', 'test/e2e/lifecycle-concurrency.test.ts', 'test/e2e/logs-query.test.ts',
  // The async queue's depth counts the whole cluster, reserved concurrency holds for Event invocations (docs/cluster.md, "Async").
  'test/e2e/lifecycle-async.test.ts',
  // Kill and restart act on every node (test/helpers/spread.ts); limits per node; retention swept one group at a time.
  'test/e2e/core-limits.test.ts', 'test/e2e/logs-retention.test.ts', 'test/e2e/logs-flood.test.ts',
  'test/e2e/lifecycle-async-kill.test.ts', 'test/e2e/lifecycle-kill-mid-write.test.ts', 'test/e2e/core-persistence.test.ts',
];
const postgres = Boolean(process.env.LAMBKIN_TEST_DATABASE_URL) || process.env.CI === 'true';
if (!postgres) {
  process.stderr.write('vitest: LAMBKIN_TEST_DATABASE_URL is not set: the e2e suites listed in POSTGRES_SUITES run on SQLite only (see .ci/run).\n');
}

// Tests start real servers and real runtime processes: keep two files at a time on this 2-core
// machine, and give each test room (they wait for conditions, they don't race clocks).
export default defineConfig({
  test: {
    // No `include` here: a project that extends this config would add its own to it, not replace it.
    pool: 'forks',
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'] } },
      ...(postgres ? [{ extends: true, test: { name: 'postgres', include: POSTGRES_SUITES, env: { LAMBKIN_TEST_STORE: 'postgres' } } }] : []),
      ...(postgres ? [{
        extends: true,
        test: { name: 'cluster', include: CLUSTER_SUITES, env: { LAMBKIN_TEST_STORE: 'postgres', LAMBKIN_TEST_CLUSTER: '3' } },
      }] : []),
    ],
  },
});
