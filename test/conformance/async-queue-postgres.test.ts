// The AsyncQueue conformance suite against PostgreSQL (async-queue-postgres.ts): one database for
// this file (made from LAMBKIN_TEST_DATABASE_URL, a role with CREATEDB, dropped after), a fresh
// schema per case. Without the variable the suite is skipped, saying how to run it (in CI it fails).
// The pool here is a stand-in for database/postgres.ts's Postgres until that is on main.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { PostgresAsyncQueue, type PostgresDatabase, type Queryable } from '../../src/scheduler/async-queue-postgres.js';
import { ASYNC_QUEUE_MIGRATIONS } from '../../src/scheduler/async-queue-postgres-schema.js';
import { asyncQueueConformance } from './async-queue-cases.js';

const ADMIN = process.env.LAMBKIN_TEST_DATABASE_URL;

function queryable(on: pg.Pool | pg.PoolClient): Queryable {
  return { query: async <R extends object>(text: string, params: readonly unknown[] = []) => (await on.query(text, [...params])).rows as R[] };
}

function database(pool: pg.Pool): PostgresDatabase {
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

if (!ADMIN) {
  const why = 'LAMBKIN_TEST_DATABASE_URL is not set: the PostgreSQL async queue suite is skipped. To run it: apt-get install postgresql, ' +
    'then set LAMBKIN_TEST_DATABASE_URL=postgres://USER:PASSWORD@127.0.0.1:5432/postgres (a role with CREATEDB; see .ci/run).';
  if (process.env.CI === 'true') it('AsyncQueue conformance: postgres', () => { throw new Error(`CI=true but ${why}`); });
  else {
    process.stderr.write(`${why}\n`);
    describe.skip('AsyncQueue conformance: postgres', () => it('needs PostgreSQL', () => undefined));
  }
} else {
  const name = `lambkin_test_${randomBytes(6).toString('hex')}`;
  const urlOf = (db: string) => { const u = new URL(ADMIN); u.pathname = `/${db}`; return u.toString(); };
  const admin = async (sql: string) => {
    const pool = new pg.Pool({ connectionString: ADMIN, max: 1 });
    try { await pool.query(sql); } finally { await pool.end(); }
  };
  beforeAll(() => admin(`CREATE DATABASE ${name}`));
  afterAll(() => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));

  asyncQueueConformance({
    name: 'postgres',
    shared: true,
    fresh: async () => {
      const schema = `q_${randomBytes(6).toString('hex')}`;
      const pool = new pg.Pool({ connectionString: urlOf(name), max: 8, options: `-c search_path=${schema}` });
      await pool.query(`CREATE SCHEMA ${schema}`);
      for (const step of ASYNC_QUEUE_MIGRATIONS.steps) await pool.query(step);
      const db = database(pool);
      let opens = 0;
      return {
        // Each open is another node: a reopen after close, or a second node beside the first.
        open: async (options) => PostgresAsyncQueue.open(db, { ...options, node: `node-${opens++}` }),
        openNode: async (node, claimLeaseMs) => PostgresAsyncQueue.open(db, { node, claimLeaseMs }),
        remove: async () => {
          await pool.query(`DROP SCHEMA ${schema} CASCADE`);
          await pool.end();
        },
      };
    },
  });
}
