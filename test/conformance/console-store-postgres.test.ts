// The ConsoleStore conformance suite against PostgreSQL (console-api/postgres-store.ts), a fresh
// schema per case; skipped without LAMBKIN_TEST_DATABASE_URL (postgres-stand-in.ts says how to run it).
import { CONSOLE_STORE_MIGRATIONS } from '../../src/api/console-api/postgres-schema.js';
import { PostgresConsoleStore } from '../../src/api/console-api/postgres-store.js';
import { consoleStoreConformance } from './console-store-cases.js';
import { withPostgres } from './postgres-stand-in.js';

withPostgres('ConsoleStore conformance: postgres', (fresh) => consoleStoreConformance({
  name: 'postgres',
  fresh: async () => {
    const { db, remove } = await fresh(CONSOLE_STORE_MIGRATIONS.steps);
    return { open: async (options) => new PostgresConsoleStore(db, options), remove };
  },
}));
