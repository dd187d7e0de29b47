// The log store conformance suite against the SQLite store (the embedded default), each case with
// a store of its own in a temporary folder; a restart closes it and opens the same folder again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteLogStore, type LogStore } from '../../src/logs/index.js';
import { logStoreConformance } from './log-store-cases.js';

logStoreConformance('sqlite', async (options = {}) => {
  const dir = mkdtempSync(join(tmpdir(), 'lambkin-logstore-conf-'));
  const open = () => SqliteLogStore.open(dir, { log: () => undefined, sweepIntervalMs: options.sweepIntervalMs });
  let store: SqliteLogStore = open();
  return {
    get store(): LogStore {
      return store;
    },
    settle: async () => store.indexNow(),
    reopen: async () => {
      await store.close();
      store = open();
      return store;
    },
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
