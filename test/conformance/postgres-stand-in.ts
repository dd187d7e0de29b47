// PostgreSQL for the stores' conformance runners until database/ (stores-registry: the pool over
// pg with its timeouts, test/helpers/database.ts) is on main; then the runners take those instead.
// One database per test file, made from LAMBKIN_TEST_DATABASE_URL (a role with CREATEDB) and
// dropped after it; a fresh schema per case. Without the variable a suite is skipped, saying how to
// run it; in CI (CI=true) it fails instead, since a skip would hide that PostgreSQL went untested.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';

const ADMIN = process.env.LAMBKIN_TEST_DATABASE_URL;

interface Queryable {
  query<R extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface Database extends Queryable {
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
}

export interface Schema {
  readonly db: Database;
  /** Drop the schema and end its pool. */
  remove(): Promise<void>;
}

function queryable(on: pg.Pool | pg.PoolClient): Queryable {
  return { query: async <R extends object>(text: string, params: readonly unknown[] = []) => (await on.query(text, [...params])).rows as R[] };
}

function database(pool: pg.Pool): Database {
  return {
    ...queryable(pool),
    transaction: async (work) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(queryable(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
  };
}

async function admin(sql: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: ADMIN, max: 1 });
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
    const pool = new pg.Pool({ connectionString: url.toString(), max: 8, options: `-c search_path=${schema}` });
    await pool.query(`CREATE SCHEMA ${schema}`);
    for (const step of steps) await pool.query(step);
    return {
      db: database(pool),
      remove: async () => {
        await pool.query(`DROP SCHEMA ${schema} CASCADE`);
        await pool.end();
      },
    };
  });
}
