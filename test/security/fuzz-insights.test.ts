// Logs Insights queries from random pieces (fuzz-cases.ts randomQuery) straight through the parser
// and, when they compile, run over a real SQLite store: every one either compiles or is
// MalformedQueryError with a place inside the query, and every compiled one ends or fails with
// QueryFailure — no other exception, no stack overflow, whatever the nesting. (The HTTP fuzz in
// fuzz.test.ts sends such queries to StartQuery too.) FUZZ_SEED=<n> replays a run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SqliteLogStore, type LogEvent } from '../../src/logs/index.js';
import { MalformedQueryError, parseQuery, QueryFailure, runQuery, type Query } from '../../src/logs/insights/index.js';
import { randomQuery, rng } from './fuzz-cases.js';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const COUNT = Number(process.env.LAMBKIN_FUZZ_QUERIES ?? 3000);
const GROUP = '/aws/lambda/fz';
let dir: string;
let store: SqliteLogStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lambkin-fuzz-insights-'));
  store = SqliteLogStore.open(dir, { log: () => undefined });
  const t = Date.now() - 60_000;
  const lines = ['START RequestId: r Version: $LATEST', '{"level":"error","a":{"b":[1,"x"]}}', 'user=u took 12 ms', 'REPORT RequestId: r\tDuration: 1.50 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 9.00 ms', '😀 \u0000 ' + 'z'.repeat(3000)];
  const events: LogEvent[] = Array.from({ length: 200 }, (_, i) => ({ timestamp: t + i * 100, group: GROUP, stream: 's', envId: 'e', requestId: `r${i % 7}`, level: 'INFO', message: lines[i % lines.length]! }));
  await store.writeBatch(events);
});
afterAll(async () => {
  await store.closeNow();
  rmSync(dir, { recursive: true, force: true });
});

it(`${COUNT} random queries: compile or MalformedQueryError; run or QueryFailure (seed ${SEED})`, async () => {
  const r = rng(SEED);
  const bad: string[] = [];
  let compiled = 0;
  for (let i = 0; i < COUNT; i++) {
    const text = randomQuery(r);
    let query: Query;
    try {
      query = parseQuery(text);
    } catch (err) {
      if (!(err instanceof MalformedQueryError) || err.pos.start < 0 || err.pos.start > text.length) bad.push(`${JSON.stringify(text.slice(0, 200))}: ${String(err)}`);
      continue;
    }
    compiled++;
    try {
      const stats = { recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 };
      await runQuery(store, { groups: [GROUP], startTime: 0, endTime: Date.now() + 1000, query, limit: 100, account: '0' }, { stats, check: () => undefined });
    } catch (err) {
      if (!(err instanceof QueryFailure)) bad.push(`${JSON.stringify(text.slice(0, 200))} (ran): ${(err as Error)?.stack ?? String(err)}`);
    }
  }
  expect(bad.slice(0, 10)).toEqual([]);
  expect(compiled).toBeGreaterThan(COUNT / 50);
}, 120_000);

it.each([
  ['filter ' + '('.repeat(20_000) + 'x' + ')'.repeat(20_000)], ['filter ' + 'not '.repeat(20_000) + 'x'], ['fields ' + '-'.repeat(20_000) + 'x'],
  ['fields ' + '2 ^ '.repeat(5000) + '2'],
  [`filter ${Array.from({ length: 3000 }, () => 'x').join(' + ')}`], [`fields ${'concat('.repeat(500)}1${')'.repeat(500)}`],
])('nesting is refused with a place, not a stack overflow (%#)', (query) => {
  expect(() => parseQuery(query)).toThrow(/nests more than 100 levels deep at line 1, column \d+/);
});
