// The background runner of Logs Insights queries (logs/insights/queries.ts) over a real SQLite
// store whose reads the test can hold at a gate: a query waits its turn (Scheduled) behind the
// running limit, StopQuery cancels it scheduled or running, the time limit ends it Timeout, the
// open limit refuses more, and ended queries are forgotten beyond the count kept.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteLogStore, type EventQuery, type LogReader } from '../../src/logs/index.js';
import { InsightsQueries, parseQuery, QueryFailure, runQuery, type QueryLimits, type QueryStatus } from '../../src/logs/insights/index.js';
import { waitFor } from '../helpers/functions.js';

const GROUP = '/aws/lambda/q';
let dir: string;
let store: SqliteLogStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lambkin-insights-queries-'));
  store = SqliteLogStore.open(dir, { log: () => undefined });
  await store.writeBatch(Array.from({ length: 50 }, (_, i) => ({ timestamp: Date.now() - 1000 + i, group: GROUP, stream: 's', envId: 'e', requestId: undefined, level: 'INFO', message: `line ${i}` })));
});
afterAll(async () => {
  await store.closeNow();
  rmSync(dir, { recursive: true, force: true });
});

/** The store, with every filterEvents held until the test opens the gate. */
function gated(): { reader: LogReader; open: () => void; reads: () => number } {
  let release!: () => void;
  let gate = new Promise<void>((r) => (release = r));
  let reads = 0;
  const reader = Object.create(store) as LogReader;
  reader.filterEvents = async (q: EventQuery) => {
    reads++;
    await gate;
    return store.filterEvents(q);
  };
  return {
    reader,
    open: () => {
      release();
      gate = Promise.resolve();
    },
    reads: () => reads,
  };
}

const LIMITS: QueryLimits = { running: 1, open: 3, timeoutMs: 60_000, kept: 5, keptBytes: 1024 * 1024 };
const start = (q: InsightsQueries, text = 'stats count(*) as n') =>
  q.start({ groups: [GROUP], startTime: 0, endTime: Date.now() + 60_000, query: parseQuery(text), queryString: text, limit: 100, account: '0' });
const ended = (q: InsightsQueries, id: string) => waitFor(`query ${id} to end`, () => {
  const s = q.get(id)!.status;
  return s !== 'Scheduled' && s !== 'Running' ? s : undefined;
});

describe('InsightsQueries', () => {
  it('runs one at a time; the next waits Scheduled; StopQuery cancels either', async () => {
    const g = gated();
    const q = new InsightsQueries(g.reader, LIMITS);
    const a = start(q);
    const b = start(q);
    const c = start(q);
    expect(q.get(a)!.status).toBe('Running');
    expect([q.get(b)!.status, q.get(c)!.status]).toEqual(['Scheduled', 'Scheduled']);
    expect(() => start(q)).toThrow(expect.objectContaining({ errorName: 'LimitExceededException' }));
    expect(q.stop(b)).toBe(true);
    expect(q.get(b)!.status).toBe('Cancelled');
    expect(q.stop(a)).toBe(true);
    g.open();
    expect(await ended(q, a)).toBe<QueryStatus>('Cancelled');
    expect(await ended(q, c)).toBe<QueryStatus>('Complete');
    expect(q.get(c)!.results).toEqual([[{ field: 'n', value: '50' }]]);
    expect(q.stop(c)).toBe(false);
    expect(q.stop('nope')).toBeUndefined();
    expect(q.list().map((x) => x.queryId)).toEqual([c, b, a]);
  });

  it('a query past its time limit ends Timeout', async () => {
    const g = gated();
    const q = new InsightsQueries(g.reader, { ...LIMITS, timeoutMs: 20 });
    const id = start(q);
    await waitFor('the first read', () => g.reads() > 0);
    const past = Date.now() + 40;
    await waitFor('the time limit to pass', () => Date.now() > past);
    g.open();
    expect(await ended(q, id)).toBe<QueryStatus>('Timeout');
    expect(q.get(id)!.results).toEqual([]);
  });

  it('a store that fails a read: the query ends Failed, the server log says why', async () => {
    const broken = Object.create(store) as LogReader;
    broken.filterEvents = () => Promise.reject(new Error('disk gone'));
    const logged: string[] = [];
    const q = new InsightsQueries(broken, LIMITS, (line) => logged.push(line));
    const id = start(q);
    expect(await ended(q, id)).toBe<QueryStatus>('Failed');
    expect(q.get(id)!.failure).toMatch(/server log/);
    expect(logged.join('\n')).toContain('disk gone');
  });

  it('ended queries beyond the count kept are forgotten, oldest first', async () => {
    const q = new InsightsQueries(store, LIMITS);
    const first = start(q);
    expect(await ended(q, first)).toBe<QueryStatus>('Complete');
    const ids = [];
    for (let i = 0; i < 6; i++) {
      ids.push(start(q));
      await ended(q, ids[i]!);
    }
    expect(q.get(first)).toBeUndefined();
    expect(q.get(ids[0]!)).toBeUndefined();
    expect(q.get(ids[5]!)!.status).toBe('Complete');
  });

  it('a query that would hold more than 32 MB of rows fails, saying what to do; with a limit it runs', async () => {
    const big = mkdtempSync(join(tmpdir(), 'lambkin-insights-big-'));
    const bigStore = SqliteLogStore.open(big, { log: () => undefined });
    try {
      const line = 'x'.repeat(250_000);
      for (let b = 0; b < 7; b++) {
        await bigStore.writeBatch(Array.from({ length: 20 }, (_, i) => ({ timestamp: Date.now() - 1000, group: GROUP, stream: 's', envId: 'e', requestId: undefined, level: 'INFO' as const, message: `${b * 20 + i} ${line}` })));
      }
      const run = (text: string) => runQuery(bigStore, { groups: [GROUP], startTime: 0, endTime: Date.now() + 60_000, query: parseQuery(text), limit: 10_000, account: '0' }, { stats: { recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 }, check: () => undefined });
      for (const text of ['fields @message', 'fields @message | sort @timestamp desc']) await expect(run(text)).rejects.toThrow(QueryFailure);
      await expect(run('fields @message')).rejects.toThrow(/more than 32 MB of rows; add a limit/);
      expect(await run('fields @message | sort @timestamp desc | limit 10')).toHaveLength(10);
      expect(await run('stats count(*) as n, max(strlen(@message)) as longest')).toEqual([[{ field: 'n', value: '140' }, { field: 'longest', value: '250004' }]]);
    } finally {
      await bigStore.closeNow();
      rmSync(big, { recursive: true, force: true });
    }
  });
});
