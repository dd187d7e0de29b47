// The AsyncQueue conformance suite against PostgreSQL (async-queue-postgres.ts), a fresh schema per
// case; skipped without LAMBKIN_TEST_DATABASE_URL (postgres-stand-in.ts says how to run it).
import { PostgresAsyncQueue } from '../../src/scheduler/async-queue-postgres.js';
import { ASYNC_QUEUE_MIGRATIONS } from '../../src/scheduler/async-queue-postgres-schema.js';
import { asyncQueueConformance } from './async-queue-cases.js';
import { withPostgres } from './postgres-stand-in.js';

withPostgres('AsyncQueue conformance: postgres', (fresh) => asyncQueueConformance({
  name: 'postgres',
  shared: true,
  fresh: async () => {
    const { db, remove } = await fresh(ASYNC_QUEUE_MIGRATIONS.steps);
    let opens = 0;
    return {
      // Each open is another node: a reopen after close, or a second node beside the first.
      open: async (options) => PostgresAsyncQueue.open(db, { ...options, node: `node-${opens++}` }),
      openNode: async (node, claimLeaseMs) => PostgresAsyncQueue.open(db, { node, claimLeaseMs }),
      remove,
    };
  },
}));
