// node bench/async-queue-store.js (after npm run build) — the async queue's store alone, without
// a server: 4,000 enqueues with 16 in flight, then claim + finish of each, on SQLite and (when
// LAMBKIN_TEST_DATABASE_URL names a role with CREATEDB) on PostgreSQL, in a database made for the
// run and dropped after it. Prints events per second for each.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { SqliteAsyncQueue } from '../dist/scheduler/async-queue-sqlite.js';
import { PostgresAsyncQueue } from '../dist/scheduler/async-queue-postgres.js';
import { ASYNC_QUEUE_MIGRATIONS } from '../dist/scheduler/async-queue-postgres-schema.js';
import { Postgres } from '../dist/database/postgres.js';
import { parseDatabaseUrl } from '../dist/database/url.js';
import { table } from './lib/stats.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 4_000);
const IN_FLIGHT = 16;
const payload = Buffer.from('{"name":"bench"}');

/** Run `work(i)` for i in 0…EVENTS-1, IN_FLIGHT at a time; answers events per second. */
async function rate(work) {
  let next = 0;
  const t = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < EVENTS) await work(next++);
  }));
  return (EVENTS / (performance.now() - t)) * 1000;
}

async function measure(name, queue) {
  const queued = [];
  const enqueue = await rate(async (i) => void queued.push(await queue.enqueue({ id: `r${i}`, functionName: `f${i % 4}`, qualifier: '', payload })));
  const finish = await rate(async (i) => {
    await queue.claim(queued[i]);
    await queue.finish(queued[i]);
  });
  return [name, enqueue.toFixed(0), finish.toFixed(0)];
}

async function admin(url, sql) {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await pool.query(sql);
  } finally {
    await pool.end();
  }
}

const rows = [];
const dir = mkdtempSync(join(tmpdir(), 'lambkin-bench-queue-'));
try {
  const sqlite = SqliteAsyncQueue.open(join(dir, 'async.db'));
  rows.push(await measure('sqlite', sqlite));
  await sqlite.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const ADMIN = process.env.LAMBKIN_TEST_DATABASE_URL;
if (ADMIN) {
  const name = `lambkin_bench_${randomBytes(6).toString('hex')}`;
  const url = new URL(ADMIN);
  url.pathname = `/${name}`;
  await admin(ADMIN, `CREATE DATABASE ${name}`);
  const db = await Postgres.connect(parseDatabaseUrl(url.toString())); // lambkin's own pool
  try {
    for (const step of ASYNC_QUEUE_MIGRATIONS.steps) await db.query(step);
    const postgres = await PostgresAsyncQueue.open(db, { node: 'bench' });
    rows.push(await measure('postgres', postgres));
    await postgres.close();
  } finally {
    await db.close();
    await admin(ADMIN, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
} else {
  console.error('LAMBKIN_TEST_DATABASE_URL is not set: PostgreSQL not measured.');
}
console.log(`${EVENTS} events, ${IN_FLIGHT} in flight (events/s)`);
console.log(table(['store', 'enqueue', 'claim + finish'], rows));
