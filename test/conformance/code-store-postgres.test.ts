// The CodeStore conformance suite against PostgreSQL (zips in the database, each machine's
// unpacked copies in its own local cache), plus how unreferenced zips leave the database.
import { expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Postgres } from '../../src/database/index.js';
import { LocalCodeStore } from '../../src/registry/local/code-store.js';
import { PostgresCodeStore } from '../../src/registry/postgres/code-store.js';
import { PostgresRegistryStore } from '../../src/registry/postgres/registry-store.js';
import { describePostgres, useTestDatabase } from '../helpers/database.js';
import { codeStoreConformance, codeZip } from './code-store-cases.js';

describePostgres('code on PostgreSQL', () => {
  const database = useTestDatabase();
  const pools: Postgres[] = [];
  const connect = async () => {
    const pg = await Postgres.connect(database.url());
    pools.push(pg);
    return pg;
  };

  codeStoreConformance({
    name: 'postgres',
    shared: true,
    fresh: async () => {
      const admin = await connect();
      await admin.execute('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      return {
        open: async (root) => PostgresCodeStore.open(await connect(), new LocalCodeStore(root)),
        cleanup: async () => {
          for (const pg of pools.splice(0)) await pg.close();
        },
      };
    },
  });

  it('a zip leaves the database once no function or version refers to it and its grace period is over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambkin-codesweep-'));
    const pg = await connect();
    try {
      await pg.execute('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      const store = await PostgresCodeStore.open(pg, new LocalCodeStore(dir));
      const registry = await PostgresRegistryStore.open(pg);
      const used = await store.put(codeZip('used'));
      const unused = await store.put(codeZip('unused'));
      const inUse = await store.put(codeZip('running'));
      await registry.insertFunction({
        name: 'f', config: {} as never, version: '$LATEST', codeSha256: used.sha256, codeSize: used.size, revisionId: 'r',
        lastModified: '', tags: {}, reservedConcurrency: undefined,
      });
      expect(await store.sweep(new Set(), '1 hour')).toBe(0); // all younger than the grace period
      expect(await store.sweep(new Set([inUse.sha256]), '0 seconds')).toBe(1);
      expect(await store.zip(unused.sha256)).toBeDefined(); // still in this machine's cache…
      rmSync(unused.dir, { recursive: true });
      rmSync(`${unused.dir}.zip`);
      expect(await store.zip(unused.sha256)).toBeUndefined(); // …but gone from the database
      expect(await store.zip(used.sha256)).toBeDefined();
      expect(await store.zip(inUse.sha256)).toBeDefined();
    } finally {
      for (const p of pools.splice(0)) await p.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
