// The log store conformance suite against PostgreSQL (src/logs/postgres/): a fresh database for
// this file (LAMBKIN_TEST_DATABASE_URL), emptied before each case; a restart closes the store and
// its pool and opens both again on the same database.
import { Postgres } from '../../src/database/index.js';
import { PostgresLogStore, type LogStore } from '../../src/logs/index.js';
import { describePostgres, useTestDatabase } from '../helpers/database.js';
import { logStoreConformance } from './log-store-cases.js';

describePostgres('log store on PostgreSQL', () => {
  const database = useTestDatabase();
  logStoreConformance('postgres', async (options = {}) => {
    const admin = await Postgres.connect(database.url(), { maxConnections: 1 });
    await admin.execute('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    await admin.close();
    const open = async () => {
      const pg = await Postgres.connect(database.url());
      return { pg, store: await PostgresLogStore.open(pg, { log: () => undefined, sweepIntervalMs: options.sweepIntervalMs }) };
    };
    let current = await open();
    const close = async () => {
      await current.store.close();
      await current.pg.close();
    };
    return {
      get store(): LogStore {
        return current.store;
      },
      settle: () => current.store.indexNow(),
      reopen: async () => {
        await close();
        current = await open();
        return current.store;
      },
      dispose: close,
    };
  });
});
