// The RegistryStore conformance suite against PostgreSQL: a fresh database for this file
// (LAMBKIN_TEST_DATABASE_URL), emptied before each case; each store instance has its own pool,
// as two lambkin nodes would.
import { Postgres } from '../../src/database/index.js';
import { PostgresRegistryStore } from '../../src/registry/postgres/registry-store.js';
import { describePostgres, useTestDatabase } from '../helpers/database.js';
import { registryConformance } from './registry-cases.js';

describePostgres('registry on PostgreSQL', () => {
  const database = useTestDatabase();
  registryConformance({
    name: 'postgres',
    fresh: async () => {
      const admin = await Postgres.connect(database.url(), { maxConnections: 1 });
      await admin.execute('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      await admin.close();
      const pools: Postgres[] = [];
      return {
        open: async () => {
          const pg = await Postgres.connect(database.url());
          pools.push(pg);
          return PostgresRegistryStore.open(pg);
        },
        cleanup: async () => {
          for (const pg of pools) await pg.close();
        },
      };
    },
  });
});
