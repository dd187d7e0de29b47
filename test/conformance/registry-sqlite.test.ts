// The RegistryStore conformance suite against SQLite (registry.db in a temporary data folder).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteRegistryStore } from '../../src/registry/sqlite/registry-store.js';
import { registryConformance } from './registry-cases.js';

registryConformance({
  name: 'sqlite',
  fresh: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambkin-registry-sqlite-'));
    return {
      open: async () => new SqliteRegistryStore(join(dir, 'registry.db')),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});
