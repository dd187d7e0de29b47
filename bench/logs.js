// npm run bench:logs — the log store under load (issue 3's numbers):
//  1. fill a store with 1,000,000 events over 200 streams (straight through the store's batch API),
//  2. FilterLogEvents for a rare term over all of them (HTTP API, AWS SDK) — target ≤ 200 ms,
//  3. `lambkin logs <fn> --request-id <id>` as a user runs it (a CLI process) — target ≤ 200 ms,
//  4. warm invoke throughput, 32 in flight, of two functions with the same code, logging on and
//     off — target: on ≤ 5 % slower,
//  5. Logs Insights over the 1,000,000 events (StartQuery, then GetQueryResults every 5 ms until
//     Complete, AWS SDK): `stats count(*) by bin(5m)` — target ≤ 500 ms — and
//     `filter @message like /<rare>/` — target ≤ 200 ms.
//  6. Live tail (StartLiveTail, AWS SDK): a line a function logs, until the session hands it over —
//     target ≤ 300 ms at p99 (bench/lib/live-tail.js).
// Env: BENCH_EVENTS (1000000), BENCH_STREAMS (200), BENCH_SECONDS (5), BENCH_RUNS (20), BENCH_ROUNDS (16),
// BENCH_PARTS (throughput,filter,cli,insights,livetail: which parts to run; e.g. BENCH_PARTS=cli for the CLI alone),
// BENCH_INSIGHTS_RUNS (5: runs per Insights query), BENCH_LIVE_TAIL_RUNS (200: lines timed through live tail).
// The on/off throughput alone, without the 1M fill: BENCH_PARTS=throughput BENCH_EVENTS=0 (bench/logs-cpu.js does the
// same with more, shorter alternating passes and the examples/hello-node function).
// LAMBKIN_BENCH_DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/postgres (a role with CREATEDB): the same on
// PostgreSQL — a database made for the run (filled through the PostgreSQL log store, the server on
// --database-url) and dropped after it. Unset: SQLite in a temporary data folder.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { CloudWatchLogsClient, FilterLogEventsCommand, GetQueryResultsCommand, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { PostgresLogStore, SqliteLogStore } from '../dist/logs/index.js';
import { Postgres, parseDatabaseUrl, withDatabase } from '../dist/database/index.js';
import { LambkinClient } from '../dist/client/index.js';
import { ROOT, startServer } from './lib/server.js';
import { deploy } from './lib/functions.js';
import { ms, summary, table } from './lib/stats.js';
import { alternatingPasses, compareOnOff } from './lib/onoff.js';
import { cpuMs } from './lib/proc.js';
import { databaseBackends } from './lib/usage.js';
import { timeLiveTail } from './lib/live-tail.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
// One round's on/off ratio spreads by ~12 % (sd) here, so 6 rounds left the median uncertain by
// about ±5 %, the size of the target itself: docs/performance.md (session 4).
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 16);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'throughput,filter,cli,insights,livetail').split(','));
const INSIGHTS_RUNS = Number(process.env.BENCH_INSIGHTS_RUNS ?? 5);
const LIVE_TAIL_RUNS = Number(process.env.BENCH_LIVE_TAIL_RUNS ?? 200);
const FN = 'bench-logs';
const RARE = 'zanzibar7781';

let indexSeconds; // SQLite: how long the fill's trigram index took to catch up
const dataDir = mkdtempSync(join(tmpdir(), 'lambkin-bench-logs-'));
const database = await benchDatabase();
const { requestIds, records, fillSeconds } = await fill(dataDir);
// 64 runtimes start during the throughput part; on a busy 2-core machine that takes a while.
const server = await startServer(['--data-dir', dataDir, '--init-timeout', '120', ...(database ? ['--database-url', database.url.url] : [])]);
const common = { endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 };
const logs = new CloudWatchLogsClient(common);
const lambda = new LambdaClient(common);
const rows = [];
try {
  // Throughput first: its warm-up also covers the server's own start-up work on the big store.
  const tp = PARTS.has('throughput') ? await throughput() : undefined;
  if (PARTS.has('filter')) {
    const filter = await timeFilter();
    rows.push([`FilterLogEvents '${RARE}' (${filter.found} of ${EVENTS.toLocaleString('en')} events)`, ms(filter.p50), ms(filter.p99), '≤ 200 ms']);
  }
  if (PARTS.has('insights')) {
    for (const [query, target] of [['stats count(*) by bin(5m)', '≤ 500 ms'], [`filter @message like /${RARE}/`, '≤ 200 ms']]) {
      const q = await timeInsights(query);
      rows.push([`Insights '${query}' (${q.rows} rows, ${q.matched.toLocaleString('en')} matched)`, ms(q.p50), ms(q.p99), target]);
    }
  }
  if (PARTS.has('livetail')) {
    const tail = await timeLiveTail(lambda, common, LIVE_TAIL_RUNS);
    rows.push([`live tail: a logged line to the StartLiveTail reader (${tail.n} lines)`, ms(tail.p50), ms(tail.p99), '≤ 300 ms p99']);
  }
  if (PARTS.has('cli')) {
    // A bare `tsc` since the build (someone else's, in a shared tree) leaves the bundle stale, and
    // bin/lambkin.js then runs the unbundled CLI: bundle it again, as `npm run build` does.
    if (!cliBundled()) execFileSync(process.execPath, [join(ROOT, 'scripts/build-cli.js')], { stdio: 'inherit' });
    const cli = await timeCli(requestIds[Math.floor(requestIds.length / 2)]);
    rows.push([`lambkin logs --request-id (CLI process, ${cli.lines} lines${cliBundled() ? '' : ', NOT bundled'})`, ms(cli.p50), ms(cli.p99), '≤ 200 ms']);
    const bare = await timeBareNode(process.env);
    rows.push(['  of which: starting node itself (node -e "")', ms(bare.p50), ms(bare.p99), '']);
    if (process.env.NODE_EXTRA_CA_CERTS) {
      // Node 20 reads and parses that certificate file as it starts, before any of lambkin's code.
      const { NODE_EXTRA_CA_CERTS: _, ...env } = process.env;
      const without = await timeBareNode(env);
      rows.push(['  (node -e "" without the NODE_EXTRA_CA_CERTS set here)', ms(without.p50), ms(without.p99), '']);
    }
    const http = await timeHttp(requestIds[Math.floor(requestIds.length / 2)]);
    rows.push(['  of which: GET /lambkin/v1/invocations/{id} (HTTP)', ms(http.p50), ms(http.p99), '']);
  }
  if (tp) pushThroughput(tp);
} finally {
  logs.destroy();
  lambda.destroy();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  await database?.drop();
}
console.log(`log store: ${database ? `PostgreSQL (${database.url.redacted})` : 'SQLite'}`);
console.log(table(['measure', 'p50 / best', 'p99 / passes', 'target'], rows));
console.log(`(store filled with ${EVENTS.toLocaleString('en')} events over ${STREAMS} streams and ${records.toLocaleString('en')} invocation records in ${fillSeconds.toFixed(1)} s${indexSeconds === undefined ? '' : `, of which ${indexSeconds.toFixed(1)} s the trigram index`}; ${RUNS} runs per query; ${SECONDS} s per throughput pass after a 1 s warm one, ${ROUNDS} rounds in alternating order)`);

function pushThroughput(tp) {
  rows.push(['warm invokes @32, logging on (inv/s, median)', tp.medianOn.toFixed(0), tp.onAll.join(' '), '']);
  rows.push(['warm invokes @32, logging off (inv/s, median)', tp.medianOff.toFixed(0), tp.offAll.join(' '), '']);
  rows.push(['  environments after each pass, on / off', '', `${tp.onEnvs.join(' ')} / ${tp.offEnvs.join(' ')}`, '']);
  rows.push(['logging on vs off (medians of passes)', `${(100 * (tp.medianOn / tp.medianOff - 1)).toFixed(1)} %`, '', '≥ -5 %']);
  rows.push(['logging on vs off (best of each; noisy)', `${(100 * (tp.bestOn / tp.bestOff - 1)).toFixed(1)} %`, '', '']);
  // Robust to other load on the machine: what each invoke costs the server process itself.
  const also = database ? ' + its database\'s backends' : '';
  rows.push([`server CPU${also} per warm invoke, logging on (µs)`, tp.cpuOn.toFixed(0), '', '']);
  rows.push([`server CPU${also} per warm invoke, logging off (µs)`, tp.cpuOff.toFixed(0), '', '']);
  rows.push(['  on − off, median of paired passes (µs)', tp.cpuExtra.toFixed(0), '', '']);
  rows.push(['logging on vs off (median of paired passes)', `${(100 * tp.pairedRatio).toFixed(1)} %`, '', '≥ -5 %']);
  rows.push(['  spread of one round\'s on/off (sd)', `${(100 * tp.pairedSd).toFixed(1)} %`, '', '']);
}

/** Invocations of 8 events each (START, 4 user lines, END, REPORT … and a plain line), spread over the streams. */
/** With LAMBKIN_BENCH_DATABASE_URL: a database of this run's own on that server, and how to drop it. */
async function benchDatabase() {
  const raw = process.env.LAMBKIN_BENCH_DATABASE_URL;
  if (!raw) return undefined;
  const admin = parseDatabaseUrl(raw);
  const name = `lambkin_bench_logs_${randomUUID().slice(0, 8)}`;
  const onAdmin = async (sql) => {
    const pg = await Postgres.connect(admin, { maxConnections: 1 });
    try {
      await pg.execute(sql);
    } finally {
      await pg.close();
    }
  };
  await onAdmin(`CREATE DATABASE ${name}`);
  const drop = async () => {
    // An autovacuum worker on the fresh tables cannot be ended by a role that is not a superuser
    // (42501): wait for it to finish rather than leave the database behind.
    for (let attempt = 1; ; attempt++) {
      try {
        return await onAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } catch (err) {
        if (attempt >= 60) return console.error(`could not drop database ${name}: ${err.message}; drop it by hand`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  return { url: withDatabase(admin, name), drop };
}

/** The store the server will use, to fill: writeNow(events, records) and close(). */
async function fillStore(dir) {
  if (!database) {
    const store = SqliteLogStore.open(dir, { sweepIntervalMs: 86_400_000, log: () => undefined });
    // Not awaited, as before: with nothing written the checkpoint thread's promise does not settle.
    return {
      writeNow: async (events, records) => store.writeNow(events, records),
      closeNow: async () => {
        // The trigram index of text inside words is filled while a store is idle (src/logs/sqlite/infix-index.ts):
        // a store that has been running has it; after a bulk load, fill it now (timed, printed below).
        const t = performance.now();
        store.indexNow();
        indexSeconds = (performance.now() - t) / 1000;
        void store.closeNow();
      },
    };
  }
  const pg = await Postgres.connect(database.url);
  const store = await PostgresLogStore.open(pg, { sweepIntervalMs: 86_400_000, log: () => undefined });
  return {
    writeNow: (events, records) => store.writeBatch(events, records),
    closeNow: async () => {
      // As on SQLite: a store that has been running has its trigram index (src/logs/postgres/infix.ts) filled.
      const t = performance.now();
      await store.indexNow();
      indexSeconds = (performance.now() - t) / 1000;
      await store.close();
      await pg.query('VACUUM ANALYZE');
      await pg.close();
    },
  };
}

async function fill(dir) {
  const store = await fillStore(dir);
  const group = `/aws/lambda/${FN}`;
  const streams = Array.from({ length: STREAMS }, (_, i) => {
    const envId = randomUUID().replaceAll('-', '');
    return { envId, stream: `2026/11/27/[$LATEST]${envId}`, n: i };
  });
  const started = performance.now();
  const perRequest = 8;
  const requests = Math.ceil(EVENTS / perRequest);
  const rareAt = new Set(Array.from({ length: 5 }, (_, i) => Math.floor(((i + 0.5) * requests) / 5)));
  const t0 = Date.now() - 2 * 3_600_000;
  const ids = [];
  let events = [];
  let records = [];
  let written = 0;
  for (let r = 0; r < requests && written < EVENTS; r++) {
    const s = streams[r % STREAMS];
    const id = randomUUID();
    if (r % 1000 === 0) ids.push(id);
    const ts = t0 + Math.floor((r * 7_000_000) / requests);
    const iso = new Date(ts).toISOString();
    const base = { group, stream: s.stream, envId: s.envId, requestId: id };
    const order = 10_000 + (r % 90_000);
    const lines = [
      ['PLATFORM', `START RequestId: ${id} Version: $LATEST`],
      ['INFO', `${iso}\t${id}\tINFO\tprocessing order ${order} for customer c-${r % 977}`],
      ['INFO', `${iso}\t${id}\tINFO\t{"event":"cart","items":${r % 7},"total":${(r % 1000) / 10},"currency":"EUR"}`],
      ['WARN', `${iso}\t${id}\tWARN\tinventory low for sku-${r % 313}${rareAt.has(r) ? ` ${RARE}` : ''}`],
      ['INFO', `charged card ending ${1000 + (r % 9000)} in ${r % 90} ms`],
      ['INFO', `${iso}\t${id}\tINFO\tdone`],
      ['PLATFORM', `END RequestId: ${id}`],
      ['PLATFORM', `REPORT RequestId: ${id}\tDuration: ${(r % 50) + 1}.25 ms\tBilled Duration: ${(r % 50) + 2} ms\tMemory Size: 128 MB\tMax Memory Used: 48 MB`],
    ];
    for (const [level, message] of lines) events.push({ ...base, timestamp: ts, level, message });
    written += lines.length;
    records.push({
      requestId: id, functionName: FN, version: '$LATEST', envId: s.envId, logStream: s.stream, startedAt: ts, cold: r < STREAMS,
      initMs: r < STREAMS ? 120 : undefined, durationMs: (r % 50) + 1.25, billedMs: (r % 50) + 2, memoryMb: 128, maxMemoryUsedMb: 48,
      outcome: r % 97 === 0 ? 'error' : 'success', errorType: r % 97 === 0 ? 'TypeError' : undefined,
      errorMessage: r % 97 === 0 ? `Cannot read properties of undefined (reading 'sku-${r % 313}')` : undefined,
    });
    if (events.length >= 8000) {
      await store.writeNow(events, records);
      events = [];
      records = [];
    }
  }
  await store.writeNow(events, records);
  await store.closeNow();
  return { requestIds: ids, records: requests, fillSeconds: (performance.now() - started) / 1000 };
}

async function timeFilter() {
  const samples = [];
  let found = 0;
  for (let i = 0; i < RUNS + 2; i++) {
    const t = performance.now();
    let token;
    let n = 0;
    do {
      const page = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${FN}`, filterPattern: RARE, nextToken: token }));
      n += page.events.length;
      token = page.nextToken;
    } while (token);
    if (i >= 2) samples.push(performance.now() - t); // the first two warm the client and the page cache
    found = n;
  }
  return { ...summary(samples), found };
}

/** One Logs Insights query from StartQuery to Complete, as a client sees it (polling every 5 ms). */
async function timeInsights(queryString) {
  const samples = [];
  let last;
  const endTime = Math.floor(Date.now() / 1000) + 60;
  for (let i = 0; i < INSIGHTS_RUNS + 1; i++) {
    const t = performance.now();
    const { queryId } = await logs.send(new StartQueryCommand({ logGroupName: `/aws/lambda/${FN}`, startTime: 0, endTime, queryString }));
    for (;;) {
      last = await logs.send(new GetQueryResultsCommand({ queryId }));
      if (last.status !== 'Scheduled' && last.status !== 'Running') break;
      await new Promise((r) => setTimeout(r, 5));
    }
    if (last.status !== 'Complete') throw new Error(`Insights query ${queryString} ended ${last.status}`);
    if (i >= 1) samples.push(performance.now() - t); // the first warms the client and the page cache
  }
  return { ...summary(samples), rows: last.results.length, matched: last.statistics.recordsMatched };
}

/** Whether bin/lambkin.js runs the bundled CLI (scripts/build-cli.js), as after `npm run build`. */
function cliBundled() {
  const mtime = (f) => statSync(join(ROOT, 'dist/cli', f), { throwIfNoEntry: false })?.mtimeMs ?? -1;
  return mtime('lambkin.cjs') >= mtime('index.js');
}

function runCli(args) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(ROOT, 'bin/lambkin.js'), '--endpoint', server.url, ...args], { env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
}

async function timeCli(requestId) {
  const samples = [];
  let lines = 0;
  for (let i = 0; i < RUNS + 1; i++) {
    const t = performance.now();
    const out = await runCli(['logs', FN, '--request-id', requestId]);
    if (i > 0) samples.push(performance.now() - t);
    lines = out.trimEnd().split('\n').length;
    if (!out.includes(`REPORT RequestId: ${requestId}`)) throw new Error(`lambkin logs --request-id printed no REPORT line:\n${out}`);
  }
  return { ...summary(samples), lines };
}

async function timeBareNode(env) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await new Promise((resolve, reject) => execFile(process.execPath, ['-e', ''], { env }, (err) => (err ? reject(err) : resolve())));
    samples.push(performance.now() - t);
  }
  return summary(samples);
}

async function timeHttp(requestId) {
  const samples = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t = performance.now();
    const res = await fetch(`${server.url}/lambkin/v1/invocations/${requestId}`);
    await res.json();
    if (i >= 2) samples.push(performance.now() - t);
  }
  return summary(samples);
}

/** CPU of the PostgreSQL backends (and autovacuum workers) serving the run's database, in ms. */
function backendsMs() {
  let ms = 0;
  for (const u of databaseBackends(database.url.database).values()) ms += u.cpuMs;
  return ms;
}

async function throughput() {
  const code = { 'lambda_function.js': 'exports.lambda_handler = async (event) => { console.log("handled", event.name); return { ok: true }; };\n' };
  for (const name of ['tp-decoy', 'tp-on', 'tp-off']) await deploy(lambda, name, 'nodejs20.x', code, { MemorySize: 128 });
  // LambkinLogging is lambkin's own field: the AWS SDK would not send it, lambkin's client does.
  await new LambkinClient({ endpoint: server.url }).updateFunctionConfiguration('tp-off', { LambkinLogging: false });
  const res = await alternatingPasses({
    lambda, names: ['tp-on', 'tp-off'], decoy: 'tp-decoy',
    // On PostgreSQL the log store's work is in the database's backends too: counted with the server's.
    inFlight: 32, seconds: SECONDS, rounds: ROUNDS, cpuMs: () => cpuMs(server.pid) + (database ? backendsMs() : 0),
    countEnvs: async (name) => (await (await fetch(`${server.url}/lambkin/v1/environments?function=${name}`)).json()).environments.length,
  });
  const on = res['tp-on'];
  const off = res['tp-off'];
  return {
    ...compareOnOff(on, off), onAll: on.map((r) => r.rate), offAll: off.map((r) => r.rate),
    onEnvs: on.map((r) => r.envs), offEnvs: off.map((r) => r.envs),
  };
}
