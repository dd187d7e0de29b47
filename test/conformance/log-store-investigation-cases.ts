// The log store conformance cases over invocation records (log-store-cases.ts runs them): one
// invocation read whole, the filtered list and its text search, error groups, statistics, and the
// console's start-up scan — the investigation API and the console rely on each.
import { describe, expect, it } from 'vitest';
import { MAX_RECORD_ERROR_MESSAGE, compilePattern, type InvocationQuery, type LogStore } from '../../src/logs/index.js';
import { batchOf, collect, ev, fnGroup, invocation, messages, rec, refusal, rid, streamOf, type StoreHandle, type StoreOptions } from './log-store-fixtures.js';

const T = Date.now() - 10 * 60_000;

/** The request ids of every page of a list, through its tokens. */
function listAll(store: LogStore, q: Omit<InvocationQuery, 'token'>): Promise<string[]> {
  return collect(async (token) => {
    const p = await store.invocations({ ...q, token });
    return { items: p.invocations.map((i) => i.requestId), nextToken: p.nextToken };
  });
}

export function investigationCases(open: (options?: StoreOptions) => Promise<StoreHandle>): void {
  describe('investigation', () => {

    it('reads one invocation whole, across the environments a retried request ran in, in order, a page at a time', async () => {
      const { store } = await open();
      const first = invocation('inv', 'e1', rid(1), T, ['attempt one'], { outcome: 'error', errorType: 'Error', errorMessage: 'boom' });
      const other = invocation('inv', 'e3', rid(2), T + 1, ['someone else']);
      const retry = invocation('inv', 'e2', rid(1), T + 100, ['attempt two', 'done']);
      const b1 = batchOf([first, other]);
      await store.writeBatch(b1.events, b1.records);
      const b2 = batchOf([retry]);
      await store.writeBatch(b2.events, b2.records);
      const expected = [...first.events, ...retry.events].map((e) => e.message);
      expect(messages((await store.requestEvents(rid(1), { limit: 1000 })).events)).toEqual(expected);
      const paged = await collect(async (token) => {
        const p = await store.requestEvents(rid(1), { limit: 2, token });
        expect(p.events.length).toBeLessThanOrEqual(2);
        return { items: messages(p.events), nextToken: p.nextToken };
      });
      expect(paged).toEqual(expected);
      const lines = (await store.requestEvents(rid(1), { limit: 1000 })).events;
      expect(new Set(lines.map((e) => e.logStream))).toEqual(new Set([streamOf('e1'), streamOf('e2')]));
      expect(lines.every((e) => e.requestId === rid(1))).toBe(true);
      // The record is the latest attempt's.
      expect(await store.getInvocation(rid(1))).toMatchObject({ envId: 'e2', outcome: 'success', startedAt: T + 100 });
      expect(await store.requestEvents('no-such-request', { limit: 10 })).toEqual({ events: [], nextToken: undefined });
      expect(await store.getInvocation('no-such-request')).toBeUndefined();
      await refusal(store.requestEvents(rid(1), { limit: 10, token: '-1' }), 'InvalidToken');
    });

    it('gives a record back as it was written, its error cut to the limit', async () => {
      const { store } = await open();
      const full = rec('r', rid(1), T, {
        version: '3', envId: 'env', logStream: streamOf('env'), cold: true, initMs: 123.5, durationMs: 45.25, billedMs: 46, memoryMb: 256,
        maxMemoryUsedMb: 77, outcome: 'error', errorType: 'Runtime.ExitError', errorMessage: 'x'.repeat(10_000),
      });
      const bare = rec('r', rid(2), T + 1, { envId: undefined, logStream: undefined, maxMemoryUsedMb: undefined });
      await store.writeBatch([], [full, bare]);
      const got = await store.getInvocation(rid(1));
      expect(got).toMatchObject({
        requestId: rid(1), functionName: 'r', version: '3', envId: 'env', logStream: streamOf('env'), startedAt: T, cold: true, initMs: 123.5,
        durationMs: 45.25, billedMs: 46, memoryMb: 256, maxMemoryUsedMb: 77, outcome: 'error', errorType: 'Runtime.ExitError',
      });
      expect(got!.errorMessage!.length).toBeLessThanOrEqual(MAX_RECORD_ERROR_MESSAGE);
      expect(got!.errorMessage).toMatch(/^x+ … \[cut: 10000 characters in all\]$/);
      expect(await store.getInvocation(rid(2))).toMatchObject({ envId: undefined, logStream: undefined, maxMemoryUsedMb: undefined, errorMessage: undefined });
    });

    it('lists records newest first (by start, then as written), filtered, a page at a time, each once', async () => {
      const { store } = await open();
      const records = [
        rec('a', rid(1), T + 1, { durationMs: 5 }),
        rec('b', rid(2), T + 2, { outcome: 'error', errorType: 'TypeError', errorMessage: 'bad' }),
        rec('a', rid(3), T + 3, { cold: true, initMs: 100, durationMs: 80 }),
        rec('a', rid(4), T + 3, { outcome: 'timeout', durationMs: 3000 }), // same start, written later: listed first
        rec('b', rid(5), T + 5, { durationMs: 60 }),
        rec('a', rid(6), T + 6, { outcome: 'throttled', durationMs: 0 }),
      ];
      await store.writeBatch([], records.slice(0, 3));
      for (const r of records.slice(3)) store.invocation(r);
      const newest = [6, 5, 4, 3, 2, 1].map(rid);
      for (const limit of [1, 2, 6, 100]) expect(await listAll(store, { limit })).toEqual(newest);
      expect(await listAll(store, { functionName: 'a', limit: 2 })).toEqual([6, 4, 3, 1].map(rid));
      expect(await listAll(store, { outcome: 'error', limit: 2 })).toEqual([rid(2)]);
      expect(await listAll(store, { cold: true, limit: 2 })).toEqual([rid(3)]);
      expect(await listAll(store, { cold: false, functionName: 'b', limit: 2 })).toEqual([5, 2].map(rid));
      expect(await listAll(store, { minDurationMs: 60, limit: 2 })).toEqual([5, 4, 3].map(rid));
      expect(await listAll(store, { since: T + 3, until: T + 6, limit: 1 })).toEqual([5, 4, 3].map(rid));
      expect(await listAll(store, { functionName: 'nobody', limit: 5 })).toEqual([]);
      await refusal(store.invocations({ limit: 5, token: 'garbage' }), 'InvalidToken');
    });

    it("finds the invocations with a matching log line (in the function's group only, when asked), newest first, page by page", async () => {
      const { store } = await open();
      const invs = Array.from({ length: 12 }, (_, i) => invocation(i % 2 ? 'odd' : 'even', `e${i % 3}`, rid(i), T + i * 10,
        [i % 3 === 0 ? `found the needle ${i}` : `only hay ${i}`, 'more hay'], { outcome: i % 4 === 0 ? 'error' : 'success' }));
      for (const part of [invs.slice(0, 5), invs.slice(5)]) {
        const { events, records } = batchOf(part);
        await store.writeBatch(events, records);
      }
      const needle = compilePattern('needle');
      for (const limit of [1, 3, 50]) expect(await listAll(store, { text: { pattern: needle }, limit })).toEqual([9, 6, 3, 0].map(rid));
      expect(await listAll(store, { functionName: 'odd', text: { pattern: needle, group: fnGroup('odd') }, limit: 1 })).toEqual([9, 3].map(rid));
      expect(await listAll(store, { text: { pattern: needle, group: fnGroup('odd') }, limit: 10 })).toEqual([9, 3].map(rid));
      expect(await listAll(store, { text: { pattern: needle, group: fnGroup('nobody') }, limit: 10 })).toEqual([]);
      expect(await listAll(store, { outcome: 'error', text: { pattern: needle }, limit: 1 })).toEqual([rid(0)]);
      expect(await listAll(store, { text: { pattern: compilePattern('START') }, since: T + 100, limit: 4 })).toEqual([11, 10].map(rid));
      expect(await listAll(store, { text: { pattern: compilePattern('%needle [0-9]+%') }, limit: 2 })).toEqual([9, 6, 3, 0].map(rid));
    });

    it('groups failures by function, error type and message shape: counts, first and last seen, the latest; most recent first, paged', async () => {
      const { store } = await open();
      await store.writeBatch([], [
        rec('a', rid(1), T + 1, { outcome: 'error', errorType: 'NotFound', errorMessage: 'Order 1 not found' }),
        rec('b', rid(2), T + 3, { outcome: 'error', errorType: 'NotFound', errorMessage: 'Order 7 not found' }),
        rec('a', rid(3), T + 5, { outcome: 'error', errorType: 'NotFound', errorMessage: 'Order 22 not found' }),
        rec('a', rid(4), T + 6, { outcome: 'timeout', errorType: undefined, errorMessage: undefined }),
        rec('a', rid(5), T + 7, {}),
        rec('a', rid(6), T + 9, { outcome: 'error', errorType: 'NotFound', errorMessage: 'Order 333 not found' }),
      ]);
      const page = await store.errorGroups({ limit: 10 });
      expect(page.nextToken).toBeUndefined();
      expect(page.errors).toEqual([
        { functionName: 'a', errorType: 'NotFound', message: 'Order <n> not found', sampleMessage: 'Order 333 not found', count: 3, firstSeen: T + 1, lastSeen: T + 9, latestRequestId: rid(6) },
        { functionName: 'a', errorType: undefined, message: undefined, sampleMessage: undefined, count: 1, firstSeen: T + 6, lastSeen: T + 6, latestRequestId: rid(4) },
        { functionName: 'b', errorType: 'NotFound', message: 'Order <n> not found', sampleMessage: 'Order 7 not found', count: 1, firstSeen: T + 3, lastSeen: T + 3, latestRequestId: rid(2) },
      ]);
      const paged = await collect(async (token) => {
        const p = await store.errorGroups({ limit: 1, token });
        return { items: p.errors, nextToken: p.nextToken };
      });
      expect(paged).toEqual(page.errors);
      expect((await store.errorGroups({ functionName: 'b', limit: 10 })).errors.map((e) => e.latestRequestId)).toEqual([rid(2)]);
      expect((await store.errorGroups({ since: T + 2, until: T + 6, limit: 10 })).errors).toMatchObject([{ functionName: 'a', count: 1, latestRequestId: rid(3) }, { functionName: 'b' }]);
      await refusal(store.errorGroups({ limit: 1, token: 'zzz' }), 'InvalidToken');
    });

    it("sums up one function's invocations over a window", async () => {
      const { store } = await open();
      await store.writeBatch([ev('s', 'e1', 'x', T)], [
        rec('s', rid(1), T + 1, { durationMs: 10, maxMemoryUsedMb: 30 }),
        rec('s', rid(2), T + 2, { durationMs: 20, cold: true, initMs: 100, maxMemoryUsedMb: 50 }),
        rec('s', rid(3), T + 3, { durationMs: 30, outcome: 'error', errorType: 'TypeError', errorMessage: 'no' }),
        rec('s', rid(4), T + 4, { durationMs: 40, outcome: 'timeout' }),
        rec('other', rid(5), T + 5, { durationMs: 999 }),
      ]);
      const stats = await store.stats({ functionName: 's' });
      expect(stats).toMatchObject({
        invocations: 4, errors: 2, errorsByType: { TypeError: 1, timeout: 1 }, outcomes: { success: 2, error: 1, timeout: 1 }, coldStarts: 1,
        durationMs: { p50: 20, p95: 40, p99: 40, max: 40, avg: 25 }, initMs: { p50: 100, max: 100 }, maxMemoryUsedMb: 50, memoryMb: 128,
      });
      expect(await store.stats({ functionName: 's', since: T + 3 })).toMatchObject({ invocations: 2, durationMs: { max: 40 }, initMs: undefined });
      expect(await store.stats({ functionName: 'nobody' })).toMatchObject({ invocations: 0, errors: 0, durationMs: undefined });
    });

    it('scans the records from a time on, oldest first, a page at a time, each once (the console at start-up)', async () => {
      const { store } = await open();
      const records = Array.from({ length: 10 }, (_, i) => rec(i % 2 ? 'a' : 'b', rid(i), T + Math.floor(i / 2)));
      await store.writeBatch([], records);
      const scanned = (limit: number) => collect(async (token) => {
        const p = await store.scanRecords({ since: T + 1, limit, token });
        expect(p.records.length).toBeLessThanOrEqual(limit);
        return { items: p.records.map((r) => r.requestId), nextToken: p.nextToken };
      });
      for (const limit of [1, 3, 8, 100]) expect(await scanned(limit)).toEqual([2, 3, 4, 5, 6, 7, 8, 9].map(rid));
      const one = (await store.scanRecords({ since: T, limit: 1 })).records[0];
      expect(one).toMatchObject({ requestId: rid(0), functionName: 'b', startedAt: T, outcome: 'success', durationMs: 10, memoryMb: 128 });
      await refusal(store.scanRecords({ since: T, limit: 1, token: '[]' }), 'InvalidToken');
    });
  });
}
