// The log store on its own (real SQLite in a temporary folder): filter-pattern semantics, the
// bounded queue's drop accounting, time ranges, paging across index blocks, and retention of
// partly expired blocks.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteLogStore, compilePattern, type LogEvent } from '../../src/logs/index.js';

const dirs: string[] = [];
const stores: SqliteLogStore[] = [];
function open(options = {}): SqliteLogStore {
  const dir = mkdtempSync(join(tmpdir(), 'lambkin-logstore-'));
  dirs.push(dir);
  const store = SqliteLogStore.open(dir, { log: () => undefined, ...options });
  stores.push(store);
  return store;
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.closeNow();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const GROUP = '/aws/lambda/f';
function event(message: string, timestamp: number, envId = 'a', requestId = 'r1'): LogEvent {
  return { timestamp, group: GROUP, stream: `2026/01/01/[$LATEST]${envId}`, envId, requestId, level: 'INFO', message };
}

describe('filter patterns', () => {
  it.each([
    ['ERROR', '[ERROR] disk', true],
    ['ERROR', 'ERRORS', false],
    ['ERROR', 'error', false],
    ['"disk full"', 'the disk full again', true],
    ['"disk full"', 'the disk fullness', false],
    ['?a ?b', 'x b y', true],
    ['?a ?b', 'x c y', false],
    ['disk -full', 'disk ok', true],
    ['disk -full', 'disk full', false],
    ['{ $.a.b[1] = 2 }', '{"a":{"b":[1,2]}}', true],
    ['{ $.s = "x*z" }', 'INFO\t{"s":"xyz"}', true],
    ['{ $.n >= 10 || $.ok IS TRUE }', '{"n":3,"ok":true}', true],
    ['{ $.gone NOT EXISTS }', '{"n":3}', true],
    ['{ $.n = 3 }', 'not json {', false],
    ['%ab+c%', 'xabbbcx', true],
  ])('%s on %j → %s', (pattern, message, expected) => {
    expect(compilePattern(pattern).test(message)).toBe(expected);
  });

  it.each([
    ['{ $.s = "*" }', '{"s":""}', true],
    ['{ $.s = "a*" }', '{"s":"a"}', true],
    ['{ $.s = "*a*b" }', '{"s":"xaxb"}', true],
    ['{ $.s = "*a*b" }', '{"s":"xbxa"}', false],
    ['{ $.s = "ab*ba" }', '{"s":"aba"}', false],
    ['{ $.s = "a**b" }', '{"s":"ab"}', true],
    ['{ $.s = "y*x" }', '{"s":"y\\nx"}', true],
    ['%colou?r%', 'the colour', true],
    ['%[Ee]rror|[Ff]ail%', 'it FAILED', false],
    ['%[Ee]rror|[Ff]ail%', 'it Failed', true],
  ])('wildcards and RE2 regexes: %s on %j → %s', (pattern, message, expected) => {
    expect(compilePattern(pattern).test(message)).toBe(expected);
  });

  it('answers patterns that backtrack catastrophically (a RegExp took 13.8 s, then minutes)', () => {
    expect(compilePattern('%^a{9}(a+)+$%').test('a'.repeat(44) + '!')).toBe(false);
    expect(compilePattern('{ $.m = "*a*a*a*a*a*b" }').test(JSON.stringify({ m: 'a'.repeat(5000) }))).toBe(false);
  });

  it('refuses a regex whose program is too large to run cheaply over long lines', () => {
    expect(() => compilePattern('%[ab]*a[ab]{300}c%')).toThrow(/too complex/);
    expect(() => compilePattern('%\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}%')).not.toThrow();
  });

  it('refuses what it cannot read', () => {
    for (const bad of ['"open', '{ $.a = }', '{ $.a > "x" }', '[a, b]', '%(%']) expect(() => compilePattern(bad), bad).toThrow();
  });
});

describe('the store', () => {
  it('finds a term in any block, pages with a cursor, and maps time ranges to ids', () => {
    const store = open();
    const t0 = 1_700_000_000_000;
    const events = Array.from({ length: 100 }, (_, i) => event(i % 37 === 5 ? `needle ${i}` : `hay ${i}`, t0 + i, i % 2 ? 'a' : 'b'));
    store.writeNow(events);
    const group = store.groups.get(GROUP)!;
    const pattern = compilePattern('needle');
    const all = store.events.scan({ groupId: group.id, pattern, limit: 100 });
    expect(all.events.map((e) => e.message)).toEqual(['needle 5', 'needle 42', 'needle 79']);
    const first = store.events.scan({ groupId: group.id, pattern, limit: 1 });
    const rest = store.events.scan({ groupId: group.id, pattern, limit: 100, afterId: first.next });
    expect([...first.events, ...rest.events].map((e) => e.message)).toEqual(all.events.map((e) => e.message));
    const ranged = store.events.scan({ groupId: group.id, startTime: t0 + 10, endTime: t0 + 20, limit: 100 });
    expect(ranged.events.map((e) => e.message)).toEqual(Array.from({ length: 10 }, (_, i) => `hay ${10 + i}`));
  });

  it('keeps time order when a clock steps back', () => {
    const store = open();
    store.writeNow([event('one', 2000), event('two', 1000), event('three', 3000)]);
    const got = store.events.scan({ groupId: store.groups.get(GROUP)!.id, limit: 10 }).events;
    expect(got.map((e) => [e.message, e.timestamp])).toEqual([['one', 2000], ['two', 2000], ['three', 3000]]);
  });

  it('drops what an environment writes over its budget, says how much, and leaves other environments alone', () => {
    const store = open({ queue: { envBytes: 10_000, totalBytes: 1_000_000 } });
    const now = Date.now();
    for (let i = 0; i < 100; i++) store.append(event('x'.repeat(1000), now, 'flood', 'r-flood'));
    store.append(event('quiet line', now, 'quiet', 'r-quiet'));
    store.sync(1000);
    const group = store.groups.get(GROUP)!;
    const flood = store.events.scan({ groupId: group.id, limit: 1000, streamIds: store.groups.streamIds(group.id, ['2026/01/01/[$LATEST]flood'], undefined) });
    const kept = flood.events.filter((e) => e.message.startsWith('x')).length;
    const notice = flood.events.find((e) => e.message.startsWith('lambkin:'));
    expect(notice?.message).toMatch(/^lambkin: \d+ bytes of log dropped/);
    expect(notice?.level).toBe('WARN');
    expect(notice?.requestId).toBe('r-flood');
    expect(kept).toBeLessThan(100);
    expect(kept * 1000 + Number(/(\d+) bytes/.exec(notice!.message)![1])).toBe(100_000);
    expect(store.events.byRequest('r-quiet')!.events.map((e) => e.message)).toEqual(['quiet line']);
  });
});

describe('checkpoints', () => {
  it('copies what was written back into logs.db on a thread of its own, without waiting for close', async () => {
    const store = open();
    const dir = dirs[dirs.length - 1]!;
    const size = () => statSync(join(dir, 'logs.db')).size;
    const before = size();
    // ~8 MB of events: far past the 1,000 WAL pages at which SQLite would checkpoint inside a commit.
    const now = Date.now();
    for (let b = 0; b < 8; b++) store.writeNow(Array.from({ length: 1000 }, (_, i) => event(`${b}-${i} ${'y'.repeat(1000)}`, now)));
    await vi.waitFor(() => expect(size()).toBeGreaterThan(before + 8_000_000), { timeout: 10_000, interval: 100 });
    // The store reads what the thread copied like anything else.
    const page = store.events.scan({ groupId: store.groups.get(GROUP)!.id, limit: 10_000 }).events;
    expect(page[0]!.message.startsWith('0-0 ')).toBe(true);
    expect(page[page.length - 1]!.eventId).toBe(String(page.length));
  });
});
