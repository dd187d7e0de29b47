// Which AsyncQueue a server uses: with a PostgreSQL database (--database-url), the shared one in
// it, migrated first through the one runner (database/migrate.ts); without, <dataDir>/async.db.
import { join } from 'node:path';
import { migratePostgres, type Postgres } from '../database/index.js';
import type { AsyncQueue, AsyncQueueOptions } from './async-queue.js';
import { PostgresAsyncQueue } from './async-queue-postgres.js';
import { ASYNC_QUEUE_MIGRATIONS } from './async-queue-postgres-schema.js';
import { SqliteAsyncQueue } from './async-queue-sqlite.js';

export interface OpenAsyncQueueOptions extends AsyncQueueOptions {
  readonly dataDir: string;
  readonly database?: Postgres;
  /** This node's name on a shared database, the same across its restarts (node-name.ts). */
  readonly node?: string;
}

export async function openAsyncQueue(options: OpenAsyncQueueOptions): Promise<AsyncQueue> {
  const { database, dataDir, node, ...queue } = options;
  if (!database) return SqliteAsyncQueue.open(join(dataDir, 'async.db'), queue);
  if (!node) throw new Error('An async queue on a shared database needs this node\'s name.');
  await migratePostgres(database, ASYNC_QUEUE_MIGRATIONS);
  return PostgresAsyncQueue.open(database, { ...queue, node });
}
