// The AsyncQueue conformance suite against SQLite (async-queue-sqlite.ts): a fresh file per case.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteAsyncQueue } from '../../src/scheduler/async-queue-sqlite.js';
import { asyncQueueConformance } from './async-queue-cases.js';

asyncQueueConformance({
  name: 'sqlite',
  shared: false,
  fresh: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambkin-async-queue-'));
    return {
      open: async (options) => SqliteAsyncQueue.open(join(dir, 'async.db'), options),
      remove: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});
