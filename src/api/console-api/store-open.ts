// Which ConsoleStore a server uses: with a PostgreSQL database (--database-url), the shared one in
// it, migrated first through the one runner (database/migrate.ts); without, <dataDir>/console.db.
import { join } from 'node:path';
import { migratePostgres, type Postgres } from '../../database/index.js';
import { CONSOLE_STORE_MIGRATIONS } from './postgres-schema.js';
import { PostgresConsoleStore } from './postgres-store.js';
import { SqliteConsoleStore } from './sqlite-store.js';
import type { ConsoleStore } from './store.js';

export async function openConsoleStore(dataDir: string, database: Postgres | undefined): Promise<ConsoleStore> {
  if (!database) return new SqliteConsoleStore(join(dataDir, 'console.db'));
  await migratePostgres(database, CONSOLE_STORE_MIGRATIONS);
  return new PostgresConsoleStore(database);
}
