// The investigation queries on a real store (SQLite in a temporary folder): the explorer's text
// filter, found from the log side — the right invocations, newest by start (not by log time),
// paged, with the other filters, the function's group only — and errors grouped by shape.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteLogStore, compilePattern, type InvocationRecord, type LogEvent } from '../../src/logs/index.js';
import type { InvocationCursor, InvocationQuery } from '../../src/logs/sqlite/investigation.js';

const dirs: string[] = [];
const stores: SqliteLogStore[] = [];
function open(): SqliteLogStore {
  const dir = mkdtempSync(join(tmpdir(), 'lambkin-investigation-'));
  dirs.push(dir);
  const store = SqliteLogStore.open(dir, { log: () => undefined });
  stores.push(store);
  return store;
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.closeNow();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const T0 = Date.now() - 3_600_000;

function record(fn: string, requestId: string, startedAt: number, extra: Partial<InvocationRecord> = {}): InvocationRecord {
  return {
    requestId, functionName: fn, version: '$LATEST', envId: 'e1', logStream: 's', startedAt, cold: false, initMs: undefined,
    durationMs: 10, billedMs: 10, memoryMb: 128, maxMemoryUsedMb: 40, outcome: 'success', errorType: undefined, errorMessage: undefined, ...extra,
  };
}

function line(fn: string, requestId: string, timestamp: number, message: string): LogEvent {
  return { group: `/aws/lambda/${fn}`, stream: `2026/01/01/[$LATEST]e1`, envId: 'e1', requestId, timestamp, level: 'INFO', message };
}

/** Every page of a text search, following cursors; the request ids in order. */
function all(store: SqliteLogStore, q: Omit<InvocationQuery, 'limit' | 'after' | 'text'> & { text: string; groupId?: number }, limit: number): string[] {
  const ids: string[] = [];
  let after: InvocationCursor | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = store.investigation.list({ ...q, text: { pattern: compilePattern(q.text), groupId: q.groupId }, limit, after });
    expect(page.invocations.length).toBeLessThanOrEqual(limit);
    ids.push(...page.invocations.map((i) => i.requestId));
    if (!page.next) return ids;
    after = page.next;
  }
  throw new Error('the cursor never ran out');
}

describe('the text filter', () => {
  it('answers the invocations with a matching line, newest started first, page by page', () => {
    const store = open();
    const events: LogEvent[] = [];
    const records: InvocationRecord[] = [];
    // 300 invocations of two functions, a second apart; every third logs "order n", the rest "ping".
    for (let i = 0; i < 300; i++) {
      const fn = i % 2 === 0 ? 'a' : 'b';
      const id = `req-${i}`;
      records.push(record(fn, id, T0 + i * 1000, i % 5 === 0 ? { outcome: 'error', errorType: 'E', errorMessage: `order ${i} failed` } : {}));
      events.push(line(fn, id, T0 + i * 1000, `START RequestId: ${id}`), line(fn, id, T0 + i * 1000 + 5, i % 3 === 0 ? `order ${i} placed` : 'ping'));
    }
    // One long invocation started first, whose matching line comes after all the others started.
    records.push(record('a', 'long', T0 - 500, { durationMs: 400_000 }));
    events.push(line('a', 'long', T0 + 350_000, 'order late placed'));
    store.writeNow(events.slice(0, 400), records.slice(0, 150));
    store.writeNow(events.slice(400), records.slice(150));

    const matching = Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 3 === 0).reverse().map((i) => `req-${i}`);
    expect(all(store, { text: 'order' }, 7)).toEqual([...matching, 'long']);
    expect(all(store, { text: 'order', functionName: 'a' }, 10)).toEqual([...matching.filter((id) => Number(id.slice(4)) % 2 === 0), 'long']);
    // Records-first and log-first agree with a filter on the records besides.
    expect(all(store, { text: 'order', outcome: 'error' }, 4)).toEqual(matching.filter((id) => Number(id.slice(4)) % 5 === 0));
    expect(all(store, { text: 'order', since: T0 + 100_000, until: T0 + 130_000 }, 3)).toEqual(['req-129', 'req-126', 'req-123', 'req-120', 'req-117', 'req-114', 'req-111', 'req-108', 'req-105', 'req-102']);
    expect(all(store, { text: 'placed -order' }, 5)).toEqual([]);
    expect(all(store, { text: '%late%' }, 5)).toEqual(['long']); // a pattern the index cannot narrow
    expect(all(store, { text: 'order', groupId: -1 }, 5)).toEqual([]); // a group that does not exist
  });

  it('long lines a costly pattern looks at more often: still every match, in order, page by page', () => {
    const store = open();
    const events: LogEvent[] = [];
    const records: InvocationRecord[] = [];
    // 120 invocations whose lines are long enough that the walk looks at its clock (and may
    // yield, or end a page) after each of them (text-search.ts's heavy()).
    const pad = 'x'.repeat(150_000);
    for (let i = 0; i < 120; i++) {
      const id = `req-${i}`;
      records.push(record('a', id, T0 + i * 1000, i % 4 === 0 ? { outcome: 'error', errorType: 'E', errorMessage: 'm' } : {}));
      events.push(line('a', id, T0 + i * 1000 + 5, JSON.stringify({ m: i % 3 === 0 ? 'order' : 'ping', pad })));
    }
    store.writeNow(events, records);
    const matching = Array.from({ length: 120 }, (_, i) => i).filter((i) => i % 3 === 0).reverse().map((i) => `req-${i}`);
    expect(all(store, { text: '{ $.m = "order" }' }, 7)).toEqual(matching);
    expect(all(store, { text: '{ $.m = "order" }', outcome: 'error' }, 3)).toEqual(matching.filter((id) => Number(id.slice(4)) % 4 === 0));
    expect(all(store, { text: '%"m":"or+der"%' }, 5)).toEqual(matching); // no index: event by event
  });

  it('does not find the lines of a deleted log group', () => {
    const store = open();
    store.writeNow([line('a', 'r1', T0, 'order 1'), line('b', 'r2', T0 + 1, 'order 2')], [record('a', 'r1', T0), record('b', 'r2', T0 + 1)]);
    expect(all(store, { text: 'order' }, 10)).toEqual(['r2', 'r1']);
    store.groups.delete('/aws/lambda/b');
    expect(all(store, { text: 'order' }, 10)).toEqual(['r1']);
  });
});

describe('error groups', () => {
  it('count messages that differ only in numbers and ids together, per function and type', () => {
    const store = open();
    const fail = (fn: string, id: string, at: number, type: string, message: string) =>
      record(fn, id, at, { outcome: 'error', errorType: type, errorMessage: message });
    store.writeNow([], [
      fail('a', 'x1', T0, 'KeyError', 'order 17 not found'),
      record('a', 'ok', T0 + 1),
      fail('a', 'x2', T0 + 2, 'KeyError', 'order 4242 not found'),
      fail('a', 'x3', T0 + 3, 'KeyError', 'order 5 not found in 2b9c7e1f-0d1a-4c3e-9a7b-1f2e3d4c5b6a'),
      fail('a', 'x4', T0 + 4, 'ValueError', 'order 9 not found'),
      fail('b', 'x5', T0 + 5, 'KeyError', 'order 1 not found'),
      record('a', 't1', T0 + 6, { outcome: 'timeout', errorType: 'Sandbox.Timedout', errorMessage: 'x Task timed out after 3.00 seconds' }),
    ]);
    const groups = store.investigation.errors({ functionName: 'a', since: T0, limit: 10 });
    expect(groups.map((g) => [g.errorType, g.message, g.count, g.firstSeen - T0, g.lastSeen - T0, g.latestRequestId])).toEqual([
      ['Sandbox.Timedout', 'x Task timed out after <n> seconds', 1, 6, 6, 't1'],
      ['ValueError', 'order <n> not found', 1, 4, 4, 'x4'],
      ['KeyError', 'order <n> not found in <uuid>', 1, 3, 3, 'x3'],
      ['KeyError', 'order <n> not found', 2, 0, 2, 'x2'],
    ]);
    expect(store.investigation.errors({ since: T0, limit: 10 })).toHaveLength(5);
    expect(store.investigation.errors({ since: T0 + 3, until: T0 + 5, limit: 10 }).map((g) => g.latestRequestId)).toEqual(['x4', 'x3']);
  });
});
