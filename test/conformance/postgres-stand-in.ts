// PostgreSQL for the async-queue and console-store conformance runners: lambkin's own pool
// (src/database/postgres.ts, with its timeouts) on a schema of its own per case.
// One database per test file, made from LAMBKIN_TEST_DATABASE_URL (a role with CREATEDB) and
// dropped after it; a fresh schema per case. Without the variable a suite is skipped, saying how to
// run it; in CI (CI=true) it fails instead, since a skip would hide that PostgreSQL went untested.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Postgres } from '../../src/database/postgres.js';
import { parseDatabaseUrl } from '../../src/database/url.js';
import { afterAll, beforeAll, describe, it } from 'vitest';

const ADMIN = process.env.LAMBKIN_TEST_DATABASE_URL;

/** What the stores' PostgreSQL implementations run on: src/database/postgres.ts's pool, with its timeouts. */
export type Database = Postgres;

export interface Schema {
  readonly db: Database;
  /** Drop the schema and end its pool. */
  remove(): Promise<void>;
}

async function admin(sql: string, on = ADMIN): Promise<void> {
  const pool = new pg.Pool({ connectionString: on, max: 1 });
  try {
    await pool.query(sql);
  } finally {
    await pool.end();
  }
}

/**
 * Run `register` (which registers the suite) with a database for this file, or register a
 * skipped (failing in CI) suite named `name` when there is no PostgreSQL. `fresh` makes a schema
 * with the store's migration steps applied.
 */
export function withPostgres(name: string, register: (fresh: (steps: readonly string[]) => Promise<Schema>) => void): void {
  if (!ADMIN) {
    const why = `LAMBKIN_TEST_DATABASE_URL is not set: ${name} is skipped. To run it: apt-get install postgresql, ` +
      'then set LAMBKIN_TEST_DATABASE_URL=postgres://USER:PASSWORD@127.0.0.1:5432/postgres (a role with CREATEDB; see .ci/run).';
    if (process.env.CI === 'true') {
      it(name, () => {
        throw new Error(`CI=true but ${why}`);
      });
      return;
    }
    process.stderr.write(`${why}\n`);
    describe.skip(name, () => it('needs PostgreSQL', () => undefined));
    return;
  }
  const dbName = `lambkin_test_${randomBytes(6).toString('hex')}`; // ours: hex, no quoting needed
  const url = new URL(ADMIN);
  url.pathname = `/${dbName}`;
  beforeAll(() => admin(`CREATE DATABASE ${dbName}`));
  afterAll(() => admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
  register(async (steps) => {
    const schema = `s_${randomBytes(6).toString('hex')}`;
    await admin(`CREATE SCHEMA ${schema}`, url.toString());
    const inSchema = new URL(url);
    inSchema.searchParams.set('options', `-c search_path=${schema}`);
    const db = await Postgres.connect(parseDatabaseUrl(inSchema.toString()), { maxConnections: 8 });
    for (const step of steps) await db.query(step);
    return {
      db,
      remove: async () => {
        await db.query(`DROP SCHEMA ${schema} CASCADE`);
        await db.close();
      },
    };
  });
}
