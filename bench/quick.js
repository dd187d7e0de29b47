// npm run bench:quick — a first look at the hot path: cold start, warm sequential latency and
// throughput at 32 in flight, per runtime, through the AWS SDK (keep-alive, one process).
// The full side-by-side benchmark against serverless-offline is `npm run bench`.
// Two lambkins side by side: its stores on SQLite (the default) and on PostgreSQL (`lambkin pg`:
// --database-url, a database made for the run on LAMBKIN_BENCH_DATABASE_URL's server, by default
// the local one, and dropped after it; left out with a message when PostgreSQL is not there).
// Their turns alternate, so that the load of a shared machine hits both alike. A third target in
// the same turns is the client's floor (lib/floor.js: a do-nothing server answering `{}`), and the
// run ends with lambkin's distance to it and where each invoke's time went (CPU and context
// switches of the server, the environments and the client, per invoke).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { startServer } from './lib/server.js';
import { deploy, HELLO } from './lib/functions.js';
import { benchDatabase } from './lib/database.js';
import { ms, summary, table } from './lib/stats.js';
import { startFloorServer } from './lib/floor.js';
import { snapshot, UsageTally } from './lib/usage.js';
import { distanceLine, usageTable } from './lib/distance.js';

const WARM_N = Number(process.env.BENCH_WARM_N ?? 2000);
const THROUGHPUT_S = Number(process.env.BENCH_SECONDS ?? 5); // per store, in ROUNDS turns
const COLD_N = Number(process.env.BENCH_COLD_N ?? 7);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6); // short alternating turns: a loaded machine's swings hit both
const runtimes = (process.env.BENCH_RUNTIMES ?? Object.keys(HELLO).join(',')).split(',');
const payload = new TextEncoder().encode('{"name":"bench"}');

// 32 environments starting at once on 2 cores (32 JVMs for Java) take longer than the default
// 10 s init timeout: the throughput phase measures warm invokes, so it may wait for them.
const args = ['--init-timeout', '120', ...process.argv.slice(2)];
const database = await benchDatabase();
const targets = [{ id: 'sqlite', server: await startServer(args) }];
if (database) targets.push({ id: 'pg', database: database.name, server: await startServer([...args, '--database-url', database.url]) });
targets.push({ id: 'floor', floor: true, server: await startFloorServer() });
for (const t of targets) {
  t.lambda = new LambdaClient({ endpoint: t.server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  t.invokes = 0;
  t.invoke = async (name) => {
    t.invokes++;
    const r = await t.lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload }));
    if (r.FunctionError) throw new Error(`${name}: ${Buffer.from(r.Payload).toString()}`);
  };
}
/** Each target in turn, the order reversed every other round. */
const turns = (round) => (round % 2 ? [...targets].reverse() : targets);

const rows = [];
const usageRows = [];
const figures = {};
/** Run fn (which returns how many invokes it made) and add its CPU and context switches to tally. */
const measured = async (t, tally, fn) => {
  const a = snapshot(t.server.pid, t.database);
  const n = await fn();
  tally.add(a, snapshot(t.server.pid, t.database), n);
};
// What the database did per invoke over the whole run (every invoke of the pg target counted,
// warm-ups and cold starts too): commits and rows written, to show that only the batched log
// writes reach it (a commit per batch of many invokes), and what they write.
const pgBefore = database && (await database.stats());
let pgLine;
try {
  for (const runtime of runtimes) {
    const name = `hello-${runtime.replace(/\W/g, '')}`;
    const m = new Map(targets.map((t) => [t, { cold: [], warm: [], done: 0, failed: 0, c1: new UsageTally(), c32: new UsageTally() }]));
    const platforms = targets.filter((t) => !t.floor);
    for (const t of platforms) await deploy(t.lambda, name, runtime);
    // Cold: each configuration change retires the warm environment, so the next invoke is cold.
    for (let i = 0; i < COLD_N; i++) {
      for (const t of turns(i).filter((x) => !x.floor)) {
        await t.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: `cold ${i}` }));
        const s = performance.now();
        await t.invoke(name);
        m.get(t).cold.push(performance.now() - s);
      }
    }
    for (const t of targets) for (let i = 0; i < 500; i++) await t.invoke(name); // warm the client and the runtime
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of turns(round)) {
        await measured(t, m.get(t).c1, async () => {
          let i = 0;
          for (; i < WARM_N / ROUNDS; i++) {
            const s = performance.now();
            await t.invoke(name);
            m.get(t).warm.push(performance.now() - s);
          }
          return i;
        });
      }
    }
    // 32 in flight: first until each target has its environments started (not measured), then
    // the rounds. Otherwise the first round would time 32 cold starts on one target only.
    const flood = async (t, seconds, r = { done: 0, failed: 0 }) => {
      const until = performance.now() + seconds * 1000;
      await Promise.all(Array.from({ length: 32 }, async () => {
        while (performance.now() < until) {
          try {
            await t.invoke(name);
            r.done++;
          } catch {
            r.failed++; // counted, not fatal: the table says how many
          }
        }
      }));
    };
    for (const t of targets) await flood(t, Math.max(1, THROUGHPUT_S / 5));
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of turns(round)) {
        const r = m.get(t);
        await measured(t, r.c32, async () => {
          const before = r.done;
          await flood(t, THROUGHPUT_S / ROUNDS, r);
          return r.done - before;
        });
      }
    }
    for (const t of targets) {
      const r = m.get(t);
      const c = summary(r.cold);
      const w = summary(r.warm);
      (figures[runtime] ??= {})[t.id] = { warmP50: w.p50, p50: w.p50, p99: w.p99, ips: r.done / THROUGHPUT_S };
      rows.push([runtime, t.id, ms(c.p50), ms(w.p50), ms(w.p99), Math.round(r.done / THROUGHPUT_S), r.failed]);
      usageRows.push({ runtime, target: t.id, phase: 'c1', usage: r.c1.result() }, { runtime, target: t.id, phase: '@32', usage: r.c32.result() });
    }
  }
  if (database) {
    // pg_stat_database hears of a backend's work when it reports (at most once a second, when idle).
    await new Promise((r) => setTimeout(r, 1500));
    const after = await database.stats();
    const n = targets.find((t) => t.id === 'pg').invokes;
    const per = (k) => ((after[k] - pgBefore[k]) / n).toFixed(3);
    pgLine = `pg database over the run's ${n} invokes, per invoke: ${per('commits')} commits, ${per('rollbacks')} rollbacks, ` +
      `${per('inserted')} rows inserted, ${per('updated')} updated, ${per('deleted')} deleted, ${per('fetched')} fetched`;
  }
} finally {
  for (const t of targets) {
    t.lambda.destroy();
    await t.server.stop();
  }
  await database?.drop().catch((err) => console.error(`bench: could not drop the benchmark's database: ${err.message}`));
}
console.log(table(['runtime', 'store', 'cold p50 ms', 'warm p50 ms', 'warm p99 ms', 'inv/s @32', 'failed @32'], rows));
const pct = (a, b) => `${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(1)} %`;
for (const [runtime, f] of Object.entries(figures)) {
  if (f.pg) console.log(`${runtime}: lambkin pg vs sqlite: warm p50 ${pct(f.sqlite.warmP50, f.pg.warmP50)}, inv/s @32 ${pct(f.sqlite.ips, f.pg.ips)}`);
}
console.log('\nDistance to the floor (the same client against a server answering {} at once, in the same rounds):');
for (const [runtime, f] of Object.entries(figures)) {
  for (const id of ['sqlite', 'pg']) if (f[id] && f.floor) console.log(`${runtime} ${id}: ${distanceLine('lambkin', f[id], f.floor)}`);
}
console.log(`\nWhere the time goes, per invoke (CPU from /proc/<pid>/stat, context switches from /proc/<pid>/task/*/status; env = every process below the server; ` +
  `db = PostgreSQL's backends serving the pg target's database):\n${usageTable(usageRows)}`);
if (pgLine) console.log(pgLine);
console.log(`(${COLD_N} cold starts, ${WARM_N} warm sequential invokes after 500 warm-up, ${THROUGHPUT_S} s at 32 in flight, per target, ` +
  `${ROUNDS} alternating rounds; args: ${process.argv.slice(2).join(' ') || 'defaults'}${database ? `; pg: ${database.redacted}` : ''})`);

// The cost of one external extension on the warm path (issue 18), as its own bench measures it:
// a row of every quick run. BENCH_EXTENSION=off leaves it out.
if (process.env.BENCH_EXTENSION !== 'off') {
  console.log('\nOne external extension on the warm path (bench/extension.js):');
  const run = spawnSync(process.execPath, [join(import.meta.dirname, 'extension.js')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  process.stdout.write(run.stdout.split('\n').filter((l) => !l.startsWith('lambkin:')).join('\n'));
}
