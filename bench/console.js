// npm run bench:console — the console's API calls with 1,000,000 invocation records in the store
// (issue 8's numbers; target: the functions page and the invocations explorer answer in ≤ 300 ms):
//  1. fill a store with BENCH_RECORDS invocation records of 20 functions over the last 7 days,
//     straight through the store's batch API, with a log line for one invocation in BENCH_LOG_EVERY
//     (plus START and REPORT) so that free-text search has something to search,
//  2. start a server on it and time how long its rollup takes to read the stored records,
//  3. time each call the pages make, over HTTP, as the console makes them.
// Env: BENCH_RECORDS (1000000), BENCH_LOG_EVERY (4), BENCH_RUNS (20); BENCH_DATA_DIR keeps the filled
// store in that folder and reuses it on the next run (the fill takes minutes).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SqliteLogStore } from '../dist/logs/index.js';
import { startServer } from './lib/server.js';
import { deploy } from './lib/functions.js';
import { ms, summary, table } from './lib/stats.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const LOG_EVERY = Number(process.env.BENCH_LOG_EVERY ?? 4);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const FUNCTIONS = Array.from({ length: 20 }, (_, i) => `bench-fn-${String(i).padStart(2, '0')}`);
const RARE = 'quokka4471';
const SPAN = 7 * 86_400_000;

const keep = process.env.BENCH_DATA_DIR;
const dataDir = keep ?? mkdtempSync(join(tmpdir(), 'lambkin-bench-console-'));
const reuse = keep !== undefined && existsSync(join(keep, 'logs.db'));
if (keep) mkdirSync(keep, { recursive: true });
const fillSeconds = reuse ? 0 : fill(dataDir);
const warm = performance.now();
const server = await startServer(['--data-dir', dataDir]);
const rows = [];
try {
  const get = async (path) => {
    const res = await fetch(server.url + path);
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  // The server reads the records stored before it started in the background: wait until it is done.
  while (!(await get('/lambkin/v1/overview?window=1h')).complete) await new Promise((r) => setTimeout(r, 100));
  const warmMs = performance.now() - warm;
  const lambda = new LambdaClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  if (!reuse) for (const fn of FUNCTIONS) await deploy(lambda, fn, 'python3.11');
  lambda.destroy();

  const time = async (label, target, make) => {
    const samples = [];
    let last;
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      last = await make(i);
      samples.push(performance.now() - t);
    }
    const s = summary(samples);
    rows.push([label, ms(s.p50), ms(s.p99), target]);
    return last;
  };
  const page = (...paths) => () => Promise.all(paths.map(get));
  for (const w of ['15m', '1h', '24h', '7d']) {
    await time(`functions page, window ${w} (ListFunctions + overview)`, '≤ 300 ms', page('/2015-03-31/functions/?MaxItems=50', `/lambkin/v1/overview?window=${w}`));
  }
  const first = await time('explorer: newest 100, last 24 h (+ ListFunctions)', '≤ 300 ms', page('/2015-03-31/functions/?MaxItems=50', '/lambkin/v1/invocations?since=24h&limit=100'));
  // Page 50 deep: follow cursors once, then time the 50th page itself.
  let cursor = first[1].nextCursor;
  let depth = 2;
  for (let next; depth < 50 && cursor && (next = (await get(`/lambkin/v1/invocations?since=24h&limit=100&cursor=${cursor}`)).nextCursor); depth++) cursor = next;
  await time(`explorer: page ${depth} (keyset cursor)`, '≤ 300 ms', () => get(`/lambkin/v1/invocations?since=24h&limit=100&cursor=${cursor}`));
  await time('explorer: outcome=error, 7 d', '≤ 300 ms', () => get('/lambkin/v1/invocations?since=7d&outcome=error&limit=100'));
  await time('explorer: cold starts of one function, 7 d', '≤ 300 ms', () => get(`/lambkin/v1/invocations?since=7d&function=${FUNCTIONS[3]}&cold=true&limit=100`));
  await time('explorer: duration ≥ 900 ms, 7 d', '≤ 300 ms', () => get('/lambkin/v1/invocations?since=7d&minDurationMs=900&limit=100'));
  await time(`explorer: text '${RARE}' in the logs, 7 d`, '≤ 300 ms', () => get(`/lambkin/v1/invocations?since=7d&q=${RARE}&limit=100`));
  const order = await time("explorer: text 'order' (in every logged invocation), 7 d", '≤ 300 ms', () => get('/lambkin/v1/invocations?since=7d&q=order&limit=100'));
  await time("explorer: text 'order', page 2 (cursor)", '≤ 300 ms', () => get(`/lambkin/v1/invocations?since=7d&q=order&limit=100&cursor=${order.nextCursor}`));
  await time("explorer: text 'order' and outcome=error, 7 d", '≤ 300 ms', () => get('/lambkin/v1/invocations?since=7d&q=order&outcome=error&limit=100'));
  await time('function page: timeseries 7 d + environments + deploys', '–', page(`/lambkin/v1/timeseries?function=${FUNCTIONS[0]}&window=7d`, `/lambkin/v1/environments?function=${FUNCTIONS[0]}`, `/lambkin/v1/deploys?function=${FUNCTIONS[0]}`));
  await time('function page: timeseries 24 h', '–', () => get(`/lambkin/v1/timeseries?function=${FUNCTIONS[0]}&window=24h`));
  await time('errors page: groups + trends, 7 d', '–', page('/lambkin/v1/errors?since=7d&limit=200', '/lambkin/v1/error-trends?window=7d'));
  await time('invocation page: one invocation + payload', '–', async () => {
    const id = first[1].invocations[0].requestId;
    await get(`/lambkin/v1/invocations/${id}`);
    await fetch(`${server.url}/lambkin/v1/invocations/${id}/payload`);
  });
  const rss = await fetch(`${server.url}/lambkin/v1/overview?window=7d`).then(() => serverRss(server.pid));
  console.log(`\nconsole API with ${RECORDS.toLocaleString('en')} invocation records (${FUNCTIONS.length} functions, 7 days); ${RUNS} runs each, ms\n`);
  console.log(table(['call', 'p50', 'p99', 'target'], rows));
  console.log(`\nfill: ${reuse ? 'reused' : `${fillSeconds.toFixed(1)} s`}; server start until the console's numbers are complete (start-up read of the records): ${(warmMs / 1000).toFixed(1)} s; server RSS after: ${rss}`);
} finally {
  await server.stop();
  if (!keep) rmSync(dataDir, { recursive: true, force: true });
}

function fill(dir) {
  const store = SqliteLogStore.open(dir, { sweepIntervalMs: 86_400_000, log: () => undefined });
  const started = performance.now();
  const now = Date.now();
  const envs = FUNCTIONS.map(() => Array.from({ length: 8 }, () => randomUUID().replaceAll('-', '')));
  let events = [];
  let records = [];
  for (let i = 0; i < RECORDS; i++) {
    const f = i % FUNCTIONS.length;
    const fn = FUNCTIONS[f];
    const envId = envs[f][i % 8];
    const stream = `2026/11/27/[$LATEST]${envId}`;
    const requestId = randomUUID();
    const startedAt = Math.floor(now - SPAN + (i / RECORDS) * SPAN);
    const roll = (i * 2654435761) % 1000; // a spread that does not depend on i's low digits
    const outcome = roll < 15 ? 'error' : roll < 18 ? 'timeout' : 'success';
    const cold = Math.floor(i / FUNCTIONS.length) % 50 === 0; // one in 50 of each function's
    const durationMs = outcome === 'timeout' ? 3000 : 2 + (roll % 97) * (roll % 7 === 0 ? 9 : 1) + (roll % 13) / 10;
    records.push({
      requestId, functionName: fn, version: '$LATEST', envId, stream, startedAt, cold, initMs: cold ? 150 + (roll % 100) : undefined,
      durationMs, billedMs: Math.ceil(durationMs), memoryMb: 256, maxMemoryUsedMb: 40 + (roll % 30), outcome,
      errorType: outcome === 'error' ? 'ValueError' : outcome === 'timeout' ? 'Sandbox.Timedout' : undefined,
      errorMessage: outcome === 'error' ? `order ${10_000 + (i % 90_000)} has no items` : outcome === 'timeout' ? `${requestId} Task timed out after 3.00 seconds` : undefined,
    });
    if (i % LOG_EVERY === 0) {
      const base = { group: `/aws/lambda/${fn}`, stream, envId, requestId, timestamp: startedAt };
      events.push(
        { ...base, level: 'PLATFORM', message: `START RequestId: ${requestId} Version: $LATEST` },
        { ...base, level: 'INFO', message: `processing order ${10_000 + (i % 90_000)} for customer c-${i % 977}${i % 200_000 === 0 ? ` ${RARE}` : ''}` },
        { ...base, level: 'PLATFORM', message: `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(durationMs)} ms` },
      );
    }
    if (records.length === 10_000) {
      store.writeNow(events, records);
      events = [];
      records = [];
    }
  }
  store.writeNow(events, records);
  store.closeNow();
  return (performance.now() - started) / 1000;
}

function serverRss(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return `${Math.round(kb / 1024)} MB`;
  } catch {
    return '?';
  }
}
