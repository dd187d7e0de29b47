// npm run bench:log-writes — what the log store's writes cost per invocation, without a server
// or runtimes around them: hello invocations (a record and its START, END and REPORT, marked as
// the server marks them so that they are kept in the record, and BENCH_USER_LINES lines of the
// function's own, 1 by default as bench:logs's throughput function prints) written in batches through
// each store's batch API, SQLite and PostgreSQL in alternating rounds. CPU of this process (where
// both stores build their statements, and where SQLite does all its work) and of the PostgreSQL
// backends serving the run's database (bench/lib/usage.js), per invocation; commits and rows from
// pg_stat_database. What the invoke path adds to the database on the pg column of bench:quick.
// Each round ends with the store's trigram index caught up (both fill it while idle), inside its time.
// Env: BENCH_USER_LINES (1), BENCH_INVOCATIONS (20000 per store and round), BENCH_BATCH (300 invocations a batch: the
// 500 ms flush at ~600 inv/s), BENCH_ROUNDS (4), LAMBKIN_BENCH_DATABASE_URL (admin URL).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { PostgresLogStore, SqliteLogStore } from '../dist/logs/index.js';
import { Postgres, parseDatabaseUrl } from '../dist/database/index.js';
import { benchDatabase } from './lib/database.js';
import { databaseBackends } from './lib/usage.js';
import { table } from './lib/stats.js';

const N = Number(process.env.BENCH_INVOCATIONS ?? 20_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const USER_LINES = Number(process.env.BENCH_USER_LINES ?? 1);

const database = await benchDatabase();
if (!database) process.exit(2);
const dir = mkdtempSync(join(tmpdir(), 'lambkin-bench-log-writes-'));
const pg = await Postgres.connect(parseDatabaseUrl(database.url));
const stores = {
  sqlite: SqliteLogStore.open(dir, { sweepIntervalMs: 86_400_000, log: () => undefined }),
  pg: await PostgresLogStore.open(pg, { sweepIntervalMs: 86_400_000, log: () => undefined }),
};
const envs = Array.from({ length: 32 }, () => {
  const envId = randomUUID().replaceAll('-', '');
  return { envId, stream: `2026/12/08/[$LATEST]${envId}` };
});

/** One batch of `n` hello invocations: events and records whose `lines` are places in the events. */
function batch(n) {
  const events = [];
  const records = [];
  for (let i = 0; i < n; i++) {
    const env = envs[i % envs.length];
    const id = randomUUID();
    const ts = Date.now();
    const base = { group: '/aws/lambda/hello-node', stream: env.stream, envId: env.envId, requestId: id, timestamp: ts, level: 'PLATFORM' };
    const d = 0.5 + (i % 100) / 37;
    const at = events.length;
    events.push({ ...base, platform: 'start', message: `START RequestId: ${id} Version: $LATEST` });
    for (let l = 0; l < USER_LINES; l++) events.push({ ...base, level: 'INFO', message: `${new Date(ts).toISOString()}\t${id}\tINFO\thandled world` });
    events.push({ ...base, platform: 'end', message: `END RequestId: ${id}` });
    events.push({ ...base, platform: 'report', message: `REPORT RequestId: ${id}\tDuration: ${d.toFixed(2)} ms\tBilled Duration: ${Math.ceil(d)} ms\tMemory Size: 256 MB\tMax Memory Used: 48 MB` });
    records.push({
      requestId: id, functionName: 'hello-node', version: '$LATEST', envId: env.envId, logStream: env.stream, startedAt: ts, cold: false,
      initMs: undefined, durationMs: d, billedMs: Math.ceil(d), memoryMb: 256, maxMemoryUsedMb: 48, outcome: 'success',
      errorType: undefined, errorMessage: undefined, lines: { start: at, end: at + 1 + USER_LINES, report: at + 2 + USER_LINES },
    });
  }
  return { events, records };
}

const cpuOfBackends = (before, after) => {
  let ms = 0;
  for (const [pid, u] of after) ms += u.cpuMs - (before.get(pid)?.cpuMs ?? 0);
  return ms;
};
const totals = { sqlite: { node: 0, db: 0, wall: 0, n: 0 }, pg: { node: 0, db: 0, wall: 0, n: 0 } };
const statsBefore = await database.stats();
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const id of round % 2 ? ['pg', 'sqlite'] : ['sqlite', 'pg']) {
      const batches = Array.from({ length: Math.ceil(N / BATCH) }, () => batch(BATCH));
      const b0 = databaseBackends(database.name);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (const b of batches) await stores[id].writeBatch(b.events, b.records);
      // Each store fills its trigram index while idle; here, in its own turn, so that the other's
      // turn is not charged with it and each figure holds everything its writes cost.
      await stores[id].indexNow();
      const wall = performance.now() - t0;
      const c = process.cpuUsage(c0);
      const t = totals[id];
      t.node += (c.user + c.system) / 1000;
      t.db += cpuOfBackends(b0, databaseBackends(database.name));
      t.wall += wall;
      t.n += batches.length * BATCH;
    }
  }
  await new Promise((r) => setTimeout(r, 1500)); // pg_stat_database hears of the work about once a second
  const after = await database.stats();
  const per = (k) => ((after[k] - statsBefore[k]) / totals.pg.n).toFixed(3);
  const us = (ms, n) => ((ms * 1000) / n).toFixed(1);
  console.log(table(['store', 'invocations', 'this process CPU µs/inv', 'PostgreSQL backends CPU µs/inv', 'total µs/inv', 'wall µs/inv'],
    Object.entries(totals).map(([id, t]) => [id, t.n, us(t.node, t.n), id === 'pg' ? us(t.db, t.n) : '-', us(t.node + t.db, t.n), us(t.wall, t.n)])));
  console.log(`pg per invocation: ${per('commits')} commits, ${per('inserted')} rows inserted, ${per('updated')} updated`);
  console.log(`(${ROUNDS} alternating rounds of ${N} hello invocations per store, ${BATCH} a batch; CPU from process.cpuUsage() and /proc/<pid>/stat of the database's backends, 10 ms ticks)`);
} finally {
  await stores.pg.close();
  await pg.close();
  await stores.sqlite.close();
  rmSync(dir, { recursive: true, force: true });
  await database.drop();
}
