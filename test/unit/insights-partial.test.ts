// A Running Logs Insights query answers the rows found so far (logs/insights/queries.ts rows()),
// as CloudWatch does: over a real SQLite store whose reads the test holds at a gate after the
// first page (5,000 events), a plain query shows the matches of that page, a stats query its
// groups as counted so far, a sort its best rows so far, a count by bin (counted by the store)
// the first group's bins; the statistics are those of the page; once the gate opens, the query
// completes with every row.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteLogStore, type EventQuery, type LogReader } from '../../src/logs/index.js';
import { InsightsQueries, parseQuery, type QueryInfo, type ResultField } from '../../src/logs/insights/index.js';
import { waitFor } from '../helpers/functions.js';

const GROUP = '/aws/lambda/partial';
const OTHER = '/aws/lambda/partial-other';
const N = 12_000;
const T0 = Date.now() - 3_600_000;
let dir: string;
let store: SqliteLogStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lambkin-insights-partial-'));
  store = SqliteLogStore.open(dir, { log: () => undefined });
  await store.writeBatch(Array.from({ length: N }, (_, i) => ({
    timestamp: T0 + i, group: GROUP, stream: 's', envId: 'e', requestId: undefined, level: i % 3 === 0 ? 'WARN' : 'INFO', message: `line ${i} ${i % 1000 === 7 ? 'rare' : 'common'}`,
  })));
  await store.writeBatch(Array.from({ length: 100 }, (_, i) => ({
    timestamp: T0 + i, group: OTHER, stream: 's', envId: 'e', requestId: undefined, level: 'INFO', message: `other ${i}`,
  })));
});
afterAll(async () => {
  await store.closeNow();
  rmSync(dir, { recursive: true, force: true });
});

/** The store, answering the first read and holding every later one until the test opens the gate. */
function gated(): { reader: LogReader; open: () => void; reads: () => number } {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let reads = 0;
  const reader = Object.create(store) as LogReader;
  reader.filterEvents = async (q: EventQuery) => {
    if (reads++ > 0) await gate;
    return store.filterEvents(q);
  };
  return { reader, open: () => release(), reads: () => reads };
}

const values = (rows: ResultField[][], field: string) => rows.map((r) => r.find((f) => f.field === field)?.value);

async function whilePaused(text: string, limit = 100): Promise<{ running: QueryInfo & { rows: ResultField[][] }; done: QueryInfo }> {
  const g = gated();
  const queries = new InsightsQueries(g.reader);
  const id = queries.start({ groups: [GROUP], startTime: 0, endTime: Date.now() + 60_000, query: parseQuery(text), queryString: text, limit, account: '0' });
  await waitFor('the query to read its first page and wait for the second', () => g.reads() >= 2);
  const info = queries.get(id)!;
  const running = { ...info, statistics: { ...info.statistics }, rows: queries.rows(info) };
  g.open();
  await waitFor('the query to complete', () => queries.get(id)!.status === 'Complete');
  return { running, done: queries.get(id)! };
}

describe('a Running query', () => {
  it('answers bins counted by the store so far (stats count(*) by bin), group by group', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let counts = 0;
    const reader = Object.create(store) as LogReader;
    reader.countEvents = async (q) => {
      if (counts++ > 0) await gate; // the first group's bins, then hold the second's
      return store.countEvents(q);
    };
    const queries = new InsightsQueries(reader);
    const text = 'stats count(*) as n by bin(1h) as hour';
    const id = queries.start({ groups: [GROUP, OTHER], startTime: 0, endTime: Date.now() + 60_000, query: parseQuery(text), queryString: text, limit: 100, account: '0' });
    await waitFor('the first group counted', () => counts >= 2);
    const info = queries.get(id)!;
    expect(info.status).toBe('Running');
    const total = (rows: ResultField[][]) => values(rows, 'n').reduce((n, v) => n + Number(v), 0);
    expect(total(queries.rows(info))).toBe(N);
    release();
    await waitFor('the query to complete', () => queries.get(id)!.status === 'Complete');
    expect(total(queries.get(id)!.results)).toBe(N + 100);
  });

  it('answers the matching rows of the events read so far, and the statistics of those', async () => {
    const { running, done } = await whilePaused('fields @message | filter @message like /rare/');
    expect(running.status).toBe('Running');
    // A page ends at 5,000 events or at the store's time budget: the rows so far are a start of the final ones.
    const all = Array.from({ length: N / 1000 }, (_, k) => `line ${k * 1000 + 7} rare`);
    expect(running.rows.length).toBeGreaterThan(0);
    expect(running.rows.length).toBeLessThan(all.length);
    expect(values(running.rows, '@message')).toEqual(all.slice(0, running.rows.length));
    expect(running.statistics.recordsMatched).toBe(running.rows.length);
    expect(values(done.results, '@message')).toEqual(all);
    expect(done.statistics.recordsMatched).toBe(N / 1000);
  });

  it('answers a stats query\'s groups as counted so far, then the final counts', async () => {
    const { running, done } = await whilePaused('parse @message "line * *" as num, kind | stats count(*) as n, max(num) as last by kind | sort kind');
    const scanned = running.statistics.recordsScanned;
    expect(scanned).toBeGreaterThan(7);
    expect(scanned).toBeLessThan(N);
    // Events 0 … scanned-1 were read: of those, i % 1000 = 7 are rare.
    const rare = Array.from({ length: scanned }, (_, i) => i).filter((i) => i % 1000 === 7);
    const rows = (r: ResultField[][]) => r.map((fields) => Object.fromEntries(fields.map((f) => [f.field, f.value])));
    expect(rows(running.rows)).toEqual([
      { kind: 'common', n: String(scanned - rare.length), last: String(scanned - 1 === rare.at(-1) ? scanned - 2 : scanned - 1) },
      { kind: 'rare', n: String(rare.length), last: String(rare.at(-1)) },
    ]);
    expect(rows(done.results)).toEqual([{ kind: 'common', n: String(N - 12), last: String(N - 1) }, { kind: 'rare', n: '12', last: '11007' }]);
  });

  it('answers a sort\'s best rows so far, through the stages after it (a limit counted anew)', async () => {
    const { running, done } = await whilePaused('sort @timestamp desc | limit 2 | fields @message');
    const scanned = running.statistics.recordsScanned;
    expect(values(running.rows, '@message').map((m) => m?.split(' ')[1])).toEqual([String(scanned - 1), String(scanned - 2)]);
    expect(values(done.results, '@message').map((m) => m?.split(' ')[1])).toEqual([String(N - 1), String(N - 2)]);
  });
});
