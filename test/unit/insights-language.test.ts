// Logs Insights' query language on its own, over a real SQLite log store in a temporary folder:
// every command, function and aggregation, and malformed queries with their positions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteLogStore, type LogEvent } from '../../src/logs/index.js';
import { MalformedQueryError, parseQuery, runQuery, type QueryStatistics } from '../../src/logs/insights/index.js';

const GROUP = '/aws/lambda/shop';
const T0 = Date.UTC(2026, 11, 7, 10, 0, 0);
let dir: string;
let store: SqliteLogStore;

function ev(i: number, message: string, requestId = `req-${i}`, stream = 'a'): LogEvent {
  return { timestamp: T0 + i * 60_000, group: GROUP, stream: `2026/12/07/[$LATEST]${stream}`, envId: stream, requestId, level: 'INFO', message };
}

const report = (id: string, d: number, init?: number) =>
  `REPORT RequestId: ${id}\tDuration: ${d.toFixed(2)} ms\tBilled Duration: ${Math.ceil(d)} ms\tMemory Size: 128 MB\tMax Memory Used: ${40 + Math.round(d / 10)} MB` +
  (init === undefined ? '' : `\tInit Duration: ${init.toFixed(2)} ms`);

// Ten minutes of a shop: orders as JSON lines, some errors, REPORT lines with known durations.
const DURATIONS = [12.5, 30, 7.25, 100, 55.5, 3, 80, 41, 19, 64];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lambkin-insights-'));
  store = SqliteLogStore.open(dir, { log: () => undefined });
  const events: LogEvent[] = [];
  DURATIONS.forEach((d, i) => {
    const id = `req-${i}`;
    const stream = i % 2 === 0 ? 'a' : 'b';
    events.push(ev(i, `START RequestId: ${id} Version: $LATEST`, id, stream));
    events.push(ev(i, `2026-12-07T10:0${i}:00.000Z\t${id}\tINFO\t{"level":"${i % 3 === 0 ? 'error' : 'info'}","orderId":"o-${i}","amount":${i * 10},"customer":{"name":"c${i % 4}"},"items":[${i},${i + 1}]}`, id, stream));
    events.push(ev(i, `user=u${i % 3} method:GET latency=${i * 3} ms`, id, stream));
    if (i % 3 === 0) events.push(ev(i, `ERROR Task timed out after ${i}.00 seconds`, id, stream));
    events.push(ev(i, `END RequestId: ${id}`, id, stream));
    events.push(ev(i, report(id, d, i < 2 ? 150 + i : undefined), id, stream));
  });
  await store.writeBatch(events);
});
afterAll(async () => {
  await store.closeNow();
  rmSync(dir, { recursive: true, force: true });
});

async function run(query: string, limit = 10_000): Promise<{ rows: Record<string, string>[]; stats: QueryStatistics }> {
  const stats = { recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 };
  const results = await runQuery(store, { groups: [GROUP], startTime: T0 - 1, endTime: T0 + 3_600_000, query: parseQuery(query), limit, account: '000000000000' }, { stats, check: () => undefined });
  return { rows: results.map((r) => Object.fromEntries(r.map((f) => [f.field, f.value]))), stats };
}

const one = async (query: string) => (await run(query)).rows[0]!;
const sortedDurations = [...DURATIONS].sort((a, b) => a - b);

describe('commands', () => {
  it('filter @type = "REPORT" | stats over the REPORT fields', async () => {
    const r = await one('filter @type = "REPORT" | stats count(*) as n, avg(@duration) as avg, max(@duration) as max, min(@duration) as min, sum(@billedDuration) as billed');
    expect(Number(r.n)).toBe(10);
    expect(Number(r.avg)).toBeCloseTo(DURATIONS.reduce((a, b) => a + b) / 10, 9);
    expect(Number(r.max)).toBe(100);
    expect(Number(r.min)).toBe(3);
    expect(Number(r.billed)).toBe(DURATIONS.reduce((a, d) => a + Math.ceil(d), 0));
  });

  it('pct is the nearest rank of the values', async () => {
    const r = await one('filter @type = "REPORT" | stats pct(@duration, 50) as p50, pct(@duration, 95) as p95, pct(@duration, 0) as p0');
    expect(Number(r.p50)).toBe(sortedDurations[4]);
    expect(Number(r.p95)).toBe(sortedDurations[9]);
    expect(Number(r.p0)).toBe(sortedDurations[0]);
  });

  it('cold starts: ispresent(@initDuration)', async () => {
    const r = await one('filter @type = "REPORT" and ispresent(@initDuration) | stats count() as coldStarts, avg(@initDuration) as init');
    expect(r).toEqual({ coldStarts: '2', init: '150.5' });
  });

  it('stats … by bin(5m), a column named as written', async () => {
    const { rows } = await run('filter @type = "REPORT" | stats count(*) by bin(5m)');
    expect(rows).toEqual([
      { 'bin(5m)': '2026-12-07 10:00:00.000', 'count(*)': '5' },
      { 'bin(5m)': '2026-12-07 10:05:00.000', 'count(*)': '5' },
    ]);
  });

  it('stats count(*) by bin(…) alone is counted by the store, with the same answer as reading the events', async () => {
    for (const [counted, read] of [
      ['stats count(*) by bin(5m)', 'filter 1 = 1 | stats count(*) by bin(5m)'],
      ['stats count() as n by bin(1m) | sort n desc | limit 3', 'filter 1 = 1 | stats count() as n by bin(1m) | sort n desc | limit 3'],
    ]) {
      const a = await run(counted!);
      const b = await run(read!);
      expect(a.rows).toEqual(b.rows);
      expect(a.stats.recordsMatched).toBe(b.stats.recordsMatched);
      expect(a.stats.bytesScanned).toBe(0); // no message was read
    }
    expect((await run('stats count(*) by bin(5m)')).rows.reduce((n, r) => n + Number(r['count(*)']), 0)).toBe(DURATIONS.length * 5 + 4);
  });

  it('fields, filter like /regex/, sort desc, limit', async () => {
    const { rows, stats } = await run('fields @timestamp, @message | filter @message like /timed out/ | sort @timestamp desc | limit 2');
    expect(rows.map((r) => r['@message'])).toEqual(['ERROR Task timed out after 9.00 seconds', 'ERROR Task timed out after 6.00 seconds']);
    expect(rows[0]!['@timestamp']).toBe('2026-12-07 10:09:00.000');
    expect(stats.recordsMatched).toBe(4);
  });

  it('JSON fields, nested with dots and arrays by index', async () => {
    const { rows } = await run('fields orderId, customer.name as who, items.1 as second | filter level = "error" and amount >= 30 | sort amount asc');
    expect(rows).toEqual([
      { orderId: 'o-3', who: 'c3', second: '4' },
      { orderId: 'o-6', who: 'c2', second: '7' },
      { orderId: 'o-9', who: 'c1', second: '10' },
    ]);
  });

  it('parse with a glob and with a regex', async () => {
    const glob = await run('parse @message "user=* method:* latency=* ms" as user, method, latency | filter ispresent(user) | stats sum(latency) as total by user | sort user');
    expect(glob.rows).toEqual([{ user: 'u0', total: String(3 * (0 + 3 + 6 + 9)) }, { user: 'u1', total: String(3 * (1 + 4 + 7)) }, { user: 'u2', total: String(3 * (2 + 5 + 8)) }]);
    const re = await run('parse @message /latency=(?<ms>\\d+) ms/ | filter ms > 20 | stats count() as slow, max(ms) as worst');
    expect(re.rows).toEqual([{ slow: '3', worst: '27' }]);
  });

  it('display, dedup, and default columns', async () => {
    const d = await run('filter @message like "user=" | fields @logStream as s, @requestId as id | dedup s | display s');
    expect(d.rows).toEqual([{ s: '2026/12/07/[$LATEST]a' }, { s: '2026/12/07/[$LATEST]b' }]);
    const plain = await run('filter @message like "END RequestId: req-3"');
    expect(plain.rows).toEqual([{ '@timestamp': '2026-12-07 10:03:00.000', '@message': 'END RequestId: req-3' }]);
  });

  it('in, not in, not like, or, !=, arithmetic and comparison of text numbers', async () => {
    const r = await one(`filter @type = "REPORT" and @duration in [30, 100, 3] | stats count() as n`);
    expect(r.n).toBe('3');
    const s = await one(`filter level not in ["info"] and @message not like /o-9/ | stats count() as n`);
    expect(s.n).toBe('3');
    const t = await one(`filter @type = "START" or @type = "END" | stats count() as n`);
    expect(t.n).toBe('20');
    const u = await one(`filter @type = "REPORT" and @duration != 100 and (@billedDuration - @duration) * 2 ^ 2 >= 2 | stats count() as n`);
    expect(u.n).toBe(String(DURATIONS.filter((d) => d !== 100 && (Math.ceil(d) - d) * 4 >= 2).length));
  });

  it('limit stops the scan early when nothing holds rows', async () => {
    const { rows, stats } = await run('fields @message | limit 3');
    expect(rows).toHaveLength(3);
    expect(stats.recordsScanned).toBeLessThan(20);
  });

  it('the StartQuery limit caps the rows', async () => {
    expect((await run('fields @message', 5)).rows).toHaveLength(5);
  });
});

describe('aggregations', () => {
  it.each([
    ['count(*)', '10'], ['count(@initDuration)', '2'], ['count_distinct(@memorySize)', '1'], ['count_distinct(@duration)', '10'],
    ['sum(@duration)', String(DURATIONS.reduce((a, b) => a + b))], ['stddev(@maxMemoryUsed)', undefined],
    ['earliest(@requestId)', 'req-0'], ['latest(@requestId)', 'req-9'], ['sortsFirst(@duration)', '3'], ['sortsLast(@duration)', '100'],
    ['min(@timestamp)', '2026-12-07 10:00:00.000'], ['max(@timestamp)', '2026-12-07 10:09:00.000'],
  ])('%s', async (agg, want) => {
    const r = await one(`filter @type = "REPORT" | stats ${agg} as v`);
    if (want !== undefined) expect(r.v).toBe(want);
    else {
      const mem = DURATIONS.map((d) => 40 + Math.round(d / 10));
      const mean = mem.reduce((a, b) => a + b) / mem.length;
      expect(Number(r.v)).toBeCloseTo(Math.sqrt(mem.reduce((a, m) => a + (m - mean) ** 2, 0) / (mem.length - 1)), 9);
    }
  });

  it('after stats, an aggregation names its column', async () => {
    const { rows } = await run('filter @type = "REPORT" | stats count(*), max(@duration) by @logStream | sort max(@duration) desc | limit 1');
    expect(rows).toEqual([{ '@logStream': '2026/12/07/[$LATEST]b', 'count(*)': '5', 'max(@duration)': '100' }]);
  });

  it('an aggregation in arithmetic, grouped by a field', async () => {
    const { rows } = await run('filter @type = "REPORT" | stats sum(@duration) / count() as mean by @logStream | sort mean desc');
    const a = DURATIONS.filter((_, i) => i % 2 === 0);
    const b = DURATIONS.filter((_, i) => i % 2 === 1);
    const mean = (xs: number[]) => xs.reduce((x, y) => x + y) / xs.length;
    const want = [['a', mean(a)], ['b', mean(b)]].sort((x, y) => (y[1] as number) - (x[1] as number));
    expect(rows.map((r) => [r['@logStream']!.slice(-1), Number(r.mean)])).toEqual(want);
  });
});

describe('functions', () => {
  it.each([
    ['concat("a", "-", 1)', 'a-1'], ['strlen("héllo")', '5'], ['toupper("aB")', 'AB'], ['tolower("aB")', 'ab'],
    ['substr("abcdef", 2)', 'cdef'], ['substr("abcdef", 1, 3)', 'bcd'], ['replace("a.b.c", ".", "/")', 'a/b/c'],
    ['abs(-2.5)', '2.5'], ['ceil(1.2)', '2'], ['floor(-1.2)', '-2'], ['7 % 4', '3'], ['2 ^ 10', '1024'], ['1 / 4', '0.25'],
    ['ispresent(nothing)', 'false'], ['ispresent(@message)', 'true'], ['isempty(nothing)', 'true'], ['isempty("")', 'true'], ['isempty("x")', 'false'],
    ['datefloor(@timestamp, 1h)', '2026-12-07 10:00:00.000'], ['bin(1d)', '2026-12-07 00:00:00.000'], ['trim("  x ")', 'x'],
    ['greatest(1, 5, 3)', '5'], ['least(4, 2)', '2'], ['coalesce(nothing, "fallback")', 'fallback'],
  ])('%s', async (expr, want) => {
    const r = await one(`filter @type = "REPORT" | fields ${expr} as v | limit 1`);
    expect(r.v).toBe(want);
  });

  it('an absent argument gives an absent value (the field is left out of the row)', async () => {
    const r = await one('filter @type = "REPORT" | fields toupper(nothing) as v, @requestId as id | limit 1');
    expect(r).toEqual({ id: 'req-0' });
  });
});

describe('malformed queries', () => {
  it.each([
    ['fields @message | filtr @message like /x/', 'line 1, column 19', 'Expected a command'],
    ['stats count(*) by', 'line 1, column 18', 'Expected a value'],
    ['fields @message\n| filter @message like /(unclosed/', 'line 2, column 24', 'Invalid regular expression'],
    ['stats avg(@duration, 2)', 'line 1, column 7', 'avg takes 1 argument'],
    ['stats nosuch(x)', 'line 1, column 7', 'Unknown function nosuch'],
    ['filter x = "open', 'line 1, column 12', 'Unterminated string'],
    ['stats count() by bin(5 minutes)', 'line 1, column 24', 'Expected )'],
    ['stats count() by bin(5y)', 'line 1, column 23', 'Unknown time unit y'],
    ['limit 0', 'line 1, column 7', 'limit takes a whole number'],
    ['fields x | stats sum(x) | stats count()', 'line 1, column 27', 'one stats command'],
    ['stats pct(@duration, 101)', 'line 1, column 22', 'pct takes a percentile'],
    ['fields @message as', 'line 1, column 19', 'Expected a field name'],
    ['parse @message "a * b *" as x', 'line 1, column 16', 'has 2 * but 1 names'],
    ['stats @duration', 'line 1, column 7', 'not an aggregation'],
    ['', 'line 1, column 1', 'The query is empty'],
    ['fields constructor(1), toString(2)', 'line 1, column 8', 'Unknown function constructor'],
    ['stats __proto__(x)', 'line 1, column 7', 'Unknown function __proto__'],
  ])('%j', (query, where, reason) => {
    let err: unknown;
    try {
      parseQuery(query);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MalformedQueryError);
    expect((err as Error).message).toContain(where);
    expect((err as Error).message).toContain(reason);
  });

  it('comments and several lines are fine', () => {
    expect(parseQuery('# slow requests\nfilter @type = "REPORT"   # only REPORT lines\n| stats max(@duration)').commands).toHaveLength(2);
  });
});
