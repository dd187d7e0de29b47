// The ConsoleStore conformance suite against SQLite (console-api/sqlite-store.ts): a fresh file per case.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteConsoleStore } from '../../src/api/console-api/sqlite-store.js';
import { consoleStoreConformance } from './console-store-cases.js';

consoleStoreConformance({
  name: 'sqlite',
  fresh: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambkin-console-store-'));
    return {
      open: async (options) => new SqliteConsoleStore(join(dir, 'console.db'), options),
      remove: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});
