// A fresh PostgreSQL database per test file, made from LAMBKIN_TEST_DATABASE_URL (an admin URL:
// a role with CREATEDB, e.g. postgres://lambkin:lambkin@127.0.0.1:5432/postgres, as .ci/run sets
// up) and dropped when the file is done. Without the variable the PostgreSQL suites are skipped
// with a message saying how to run them, except in CI (CI=true), where a skip would hide that
// half the stores went untested: there it fails.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { Postgres, parseDatabaseUrl, withDatabase, type DatabaseUrl } from '../../src/database/index.js';
import { PostgresLogStore, SqliteLogStore, type LogStore } from '../../src/logs/index.js';

const VARIABLE = 'LAMBKIN_TEST_DATABASE_URL';

/** Why the PostgreSQL suites cannot run here, or undefined when they can. */
export function postgresUnavailable(): string | undefined {
  if (process.env[VARIABLE]) return undefined;
  return `${VARIABLE} is not set: PostgreSQL suites skipped. To run them: apt-get install postgresql, ` +
    `then set ${VARIABLE}=postgres://USER:PASSWORD@127.0.0.1:5432/postgres (a role with CREATEDB; see .ci/run).`;
}

/**
 * `describe` for a suite that needs PostgreSQL: skipped with a clear message when there is none,
 * failing instead in CI.
 */
export function describePostgres(name: string, body: () => void): void {
  const missing = postgresUnavailable();
  if (missing && process.env.CI === 'true') {
    describe(name, () => {
      beforeAll(() => {
        throw new Error(`CI=true but ${missing}`);
      });
      body();
    });
    return;
  }
  if (missing) {
    process.stderr.write(`${name}: ${missing}\n`);
    describe.skip(name, body);
    return;
  }
  describe(name, body);
}

export interface TestDatabase {
  readonly url: DatabaseUrl;
  /** Drop the database (ending its connections first). */
  drop(): Promise<void>;
}

/** CREATE DATABASE lambkin_test_<random> on the admin URL's server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = parseDatabaseUrl(process.env[VARIABLE] ?? '');
  const name = `lambkin_test_${randomBytes(6).toString('hex')}`;
  const pg = await Postgres.connect(admin, { maxConnections: 1 });
  try {
    await pg.execute(`CREATE DATABASE ${name}`); // name is ours: hex, no quoting needed
  } finally {
    await pg.close();
  }
  return {
    url: withDatabase(admin, name),
    drop: async () => {
      const again = await Postgres.connect(admin, { maxConnections: 1 });
      try {
        await again.execute(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await again.close();
      }
    },
  };
}

/** A fresh database for this test file: made before its tests, dropped after them. */
export function useTestDatabase(): { url(): DatabaseUrl } {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  return {
    url: () => {
      if (!db) throw new Error('the test database is not made yet (use url() inside a test or hook)');
      return db.url;
    },
  };
}

// LAMBKIN_TEST_STORE=postgres: every server a test file starts (test/helpers/server.ts) keeps its
// stores in PostgreSQL, one fresh database per data folder (a restart on the same folder finds
// the same database), all dropped when the file is done. Unset: SQLite, as users get by default.
const serverDatabases = new Map<string, TestDatabase>();
// Registered while the test file is collected (this module is imported then): a hook registered
// later, from inside a test or hook that starts a server, would never run.
if (process.env.LAMBKIN_TEST_STORE === 'postgres') {
  afterAll(async () => {
    for (const db of serverDatabases.values()) await db.drop();
    serverDatabases.clear();
  });
}

/** The `serve` arguments that put a server on `dataDir` onto the test store. */
export async function storeArgs(dataDir: string): Promise<string[]> {
  if (process.env.LAMBKIN_TEST_STORE !== 'postgres') return [];
  const missing = postgresUnavailable();
  if (missing) throw new Error(`LAMBKIN_TEST_STORE=postgres but ${missing}`);
  let db = serverDatabases.get(dataDir);
  if (!db) serverDatabases.set(dataDir, (db = await createTestDatabase()));
  return ['--database-url', db.url.url];
}

/**
 * The log store a server on `dataDir` will use (the test store: SQLite in the folder, or its
 * PostgreSQL database), opened before the server starts, to write history through the store itself.
 */
export async function logStoreFor(dataDir: string): Promise<{ store: LogStore; close(): Promise<void> }> {
  const [, url] = await storeArgs(dataDir);
  if (url === undefined) {
    const store = SqliteLogStore.open(dataDir, { log: () => undefined });
    return { store, close: () => store.close() };
  }
  const pg = await Postgres.connect(parseDatabaseUrl(url), { maxConnections: 2 });
  const store = await PostgresLogStore.open(pg, { log: () => undefined });
  return {
    store,
    close: async () => {
      await store.close();
      await pg.close();
    },
  };
}
