// The LogStore conformance suite: what every log store implementation must do, said as what a
// caller relies on (the CloudWatch Logs API, the investigation API, the console), never as how a
// store keeps it. One short file per implementation runs it (log-store-sqlite.test.ts) with a
// factory for a fresh store. Tokens are only ever passed back, never made up or looked into.
import { afterEach, describe, expect, it } from 'vitest';
import { compilePattern, type LogStore, type StoredEvent } from '../../src/logs/index.js';
import {
  refusal, allPages, batchOf, collect, ev, fnGroup, invocation, messages, rid, streamOf, type LogStoreFactory, type StoreHandle, type StoreOptions,
} from './log-store-fixtures.js';
import { filterCases } from './log-store-filter-cases.js';
import { infixCases } from './log-store-infix-cases.js';
import { putCases } from './log-store-put-cases.js';
import { investigationCases } from './log-store-investigation-cases.js';
import { countCases } from './log-store-count-cases.js';
import { groupCases } from './log-store-group-cases.js';
import { subscriptionCases } from './log-store-subscription-cases.js';
import { waitFor } from '../helpers/functions.js';

export type { LogStoreFactory, StoreHandle } from './log-store-fixtures.js';

const T = Date.now() - 10 * 60_000;
const ids = (events: readonly StoredEvent[]) => events.map((e) => e.eventId);

export function logStoreConformance(name: string, factory: LogStoreFactory): void {
  describe(`LogStore conformance: ${name}`, () => {
    const handles: StoreHandle[] = [];
    const open = async (options?: StoreOptions): Promise<StoreHandle> => {
      const h = await factory(options);
      handles.push(h);
      return h;
    };
    afterEach(async () => {
      for (const h of handles.splice(0)) await h.dispose();
    });

    describe('writing and order', () => {
      it('reads what was just appended, without waiting for the writer', async () => {
        const { store } = await open();
        for (const m of ['one', 'two', 'three']) store.append(ev('w', 'a', m, T));
        expect(messages((await store.filterEvents({ group: fnGroup('w'), limit: 100 })).events)).toEqual(['one', 'two', 'three']);
        expect((await store.describeGroups({ limit: 50 })).groups.map((g) => g.name)).toEqual([fnGroup('w')]);
        const page = await store.getStreamEvents({ group: fnGroup('w'), stream: streamOf('a'), limit: 100, startFromHead: true });
        expect(messages(page.events)).toEqual(['one', 'two', 'three']);
      });

      it('keeps append order within a group, across its streams, and never lets a timestamp go back', async () => {
        const { store } = await open();
        store.append(ev('w', 'a', 'one', T + 2000));
        store.append(ev('w', 'b', 'two', T + 1000)); // a clock that stepped back
        store.append(ev('w', 'a', 'three', T + 3000));
        const { events } = await store.filterEvents({ group: fnGroup('w'), limit: 100 });
        expect(events.map((e) => [e.message, e.timestamp, e.logStream])).toEqual([
          ['one', T + 2000, streamOf('a')], ['two', T + 2000, streamOf('b')], ['three', T + 3000, streamOf('a')],
        ]);
        expect(new Set(ids(events)).size).toBe(3);
        for (const e of events) expect(e.ingestionTime).toBeGreaterThanOrEqual(T);
      });

      it('describes a stream from its first event, with what streamCreated said, and counts stored bytes', async () => {
        const { store } = await open();
        store.streamCreated({ group: fnGroup('w'), stream: streamOf('a'), functionName: 'w', version: '$LATEST', envId: 'env-a', createdAt: T - 5 });
        store.streamCreated({ group: fnGroup('w'), stream: streamOf('quiet'), functionName: 'w', version: '$LATEST', envId: 'q', createdAt: T });
        store.append({ ...ev('w', 'a', 'hello', T + 1), envId: 'env-a' });
        store.append({ ...ev('w', 'a', 'world!', T + 7), envId: 'env-a' });
        const { streams, nextToken } = await store.describeStreams(fnGroup('w'), { orderBy: 'LogStreamName', descending: false, limit: 50 });
        expect(nextToken).toBeUndefined();
        expect(streams).toHaveLength(1); // a stream shows once something was written to it
        expect(streams[0]).toMatchObject({ name: streamOf('a'), createdAt: T - 5, envId: 'env-a', firstEvent: T + 1, lastEvent: T + 7, storedBytes: 11 });
        expect(streams[0]!.lastIngestion).toBeGreaterThanOrEqual(T);
        expect(await store.describeGroup(fnGroup('w'))).toMatchObject({ name: fnGroup('w'), retentionDays: undefined, storedBytes: 11 });
        expect(await store.describeGroup(fnGroup('nope'))).toBeUndefined();
      });

      it('tells onWritten listeners of each stored batch once, events and records, until they unsubscribe', async () => {
        const { store } = await open();
        const seen: string[] = [];
        const stop = store.onWritten((b) => seen.push(...b.events.map((e) => e.message), ...b.records.map((r) => `record ${r.requestId}`)));
        store.append(ev('w', 'a', 'one', T, rid(1)));
        store.invocation(invocation('w', 'a', rid(1), T, []).record);
        await store.flush();
        expect(seen).toEqual(['one', `record ${rid(1)}`]);
        stop();
        store.append(ev('w', 'a', 'two', T));
        await store.flush();
        await store.writeBatch([ev('w', 'a', 'three', T)]);
        expect(seen).toEqual(['one', `record ${rid(1)}`]);
      });

      it("reads an invocation's START, END and REPORT as events wherever they were written with its record", async () => {
        const { store } = await open();
        const invs = [invocation('w', 'a', rid(1), T, ['first says hi']), invocation('w', 'b', rid(2), T + 10, ['second says hi', 'and more'])];
        const { events, records } = batchOf(invs);
        await store.writeBatch(events, records);
        const whole = (await store.filterEvents({ group: fnGroup('w'), limit: 100 })).events;
        expect(messages(whole)).toEqual(events.map((e) => e.message));
        expect(whole.map((e) => [e.requestId, e.level])).toEqual(events.map((e) => [e.requestId, e.level]));
        const b = await store.getStreamEvents({ group: fnGroup('w'), stream: streamOf('b'), limit: 100, startFromHead: true });
        expect(messages(b.events)).toEqual(invs[1]!.events.map((e) => e.message));
        expect(messages((await store.requestEvents(rid(1), { limit: 100 })).events)).toEqual(invs[0]!.events.map((e) => e.message));
        const reports = await store.filterEvents({ group: fnGroup('w'), pattern: compilePattern('REPORT'), limit: 100 });
        expect(reports.events.map((e) => e.requestId)).toEqual([rid(1), rid(2)]);
        expect((await store.filterEvents({ group: fnGroup('w'), levels: ['PLATFORM'], limit: 100 })).events).toHaveLength(6);
        expect(await store.describeGroup(fnGroup('w'))).toMatchObject({ storedBytes: events.reduce((n, e) => n + e.message.length, 0) });
      });
    });

    describe('DescribeLogGroups', () => {
      it('lists groups in name order, by prefix or by substring, a page at a time', async () => {
        const { store } = await open();
        expect(await store.describeGroups({ limit: 50 })).toEqual({ groups: [], nextToken: undefined });
        for (const fn of ['c', 'a', 'b', 'ab']) store.append(ev(fn, 'x', 'hi', T));
        store.append({ ...ev('x', 'x', 'hi', T), group: '/other/x' });
        const names = await collect(async (token) => {
          const p = await store.describeGroups({ limit: 1, token });
          return { items: p.groups.map((g) => g.name), nextToken: p.nextToken };
        });
        expect(names).toEqual(['/aws/lambda/a', '/aws/lambda/ab', '/aws/lambda/b', '/aws/lambda/c', '/other/x']);
        expect((await store.describeGroups({ limit: 5 })).nextToken).toBeUndefined(); // exactly the limit: no next page
        const four = await store.describeGroups({ limit: 4 });
        expect(four.nextToken).toBeDefined();
        expect(await store.describeGroups({ limit: 4, token: four.nextToken })).toMatchObject({ groups: [{ name: '/other/x' }], nextToken: undefined });
        expect((await store.describeGroups({ prefix: '/aws/lambda/a', limit: 50 })).groups.map((g) => g.name)).toEqual(['/aws/lambda/a', '/aws/lambda/ab']);
        expect((await store.describeGroups({ contains: 'a/a', limit: 50 })).groups.map((g) => g.name)).toEqual(['/aws/lambda/a', '/aws/lambda/ab']);
        expect((await store.describeGroups({ contains: 'x', limit: 50 })).groups.map((g) => g.name)).toEqual(['/other/x']);
        await refusal(store.describeGroups({ limit: 1, token: 'not-a-token' }), 'InvalidToken');
      });
    });

    describe('DescribeLogStreams', () => {
      it('lists streams by name or by last event time, either way, a page at a time, each once', async () => {
        const { store } = await open();
        ['c', 'a', 'd', 'b'].forEach((env, i) => { store.append(ev('w', env, `line ${env}`, T + i)); });
        const list = (orderBy: 'LogStreamName' | 'LastEventTime', descending: boolean, prefix?: string) => collect(async (token) => {
          const p = await store.describeStreams(fnGroup('w'), { orderBy, descending, prefix, limit: 1, token });
          return { items: p.streams.map((s) => s.name), nextToken: p.nextToken };
        });
        expect(await list('LogStreamName', false)).toEqual(['a', 'b', 'c', 'd'].map(streamOf));
        expect(await list('LogStreamName', true)).toEqual(['d', 'c', 'b', 'a'].map(streamOf));
        expect(await list('LastEventTime', false)).toEqual(['c', 'a', 'd', 'b'].map(streamOf));
        expect(await list('LastEventTime', true)).toEqual(['b', 'd', 'a', 'c'].map(streamOf));
        expect(await list('LogStreamName', false, streamOf('b'))).toEqual([streamOf('b')]);
        expect((await store.describeStreams(fnGroup('w'), { orderBy: 'LogStreamName', descending: false, limit: 4 })).nextToken).toBeUndefined();
      });

      it('refuses a group that does not exist and a token it did not hand out', async () => {
        const { store } = await open();
        store.append(ev('w', 'a', 'x', T));
        await refusal(store.describeStreams(fnGroup('nope'), { orderBy: 'LogStreamName', descending: false, limit: 5 }), 'GroupNotFound');
        await refusal(store.describeStreams(fnGroup('w'), { orderBy: 'LogStreamName', descending: false, limit: 5, token: '{' }), 'InvalidToken');
      });
    });

    describe('GetLogEvents', () => {
      const fill = (store: LogStore, n: number) => {
        for (let i = 0; i < n; i++) {
          store.append(ev('w', 'a', `a${i}`, T + i));
          if (i % 2 === 0) store.append(ev('w', 'b', `b${i}`, T + i));
        }
      };
      const q = { group: fnGroup('w'), stream: streamOf('a') };

      it('answers the newest page by default and the oldest from the head; the tokens walk the whole stream and come back at its ends', async () => {
        const { store } = await open();
        fill(store, 10);
        const tail = await store.getStreamEvents({ ...q, limit: 3, startFromHead: false });
        expect(messages(tail.events)).toEqual(['a7', 'a8', 'a9']);
        const back: string[][] = [];
        let token = tail.nextBackwardToken;
        for (;;) {
          const page = await store.getStreamEvents({ ...q, limit: 3, startFromHead: false, token });
          if (page.events.length === 0) {
            expect(page.nextBackwardToken).toBe(token); // at the start: the token comes back unchanged
            break;
          }
          back.push(messages(page.events));
          token = page.nextBackwardToken;
        }
        expect(back).toEqual([['a4', 'a5', 'a6'], ['a1', 'a2', 'a3'], ['a0']]);
        const head = await store.getStreamEvents({ ...q, limit: 4, startFromHead: true });
        expect(messages(head.events)).toEqual(['a0', 'a1', 'a2', 'a3']);
        const forward: string[] = messages(head.events);
        token = head.nextForwardToken;
        for (;;) {
          const page = await store.getStreamEvents({ ...q, limit: 4, startFromHead: true, token });
          if (page.events.length === 0) {
            expect(page.nextForwardToken).toBe(token);
            break;
          }
          forward.push(...messages(page.events));
          token = page.nextForwardToken;
        }
        expect(forward).toEqual(Array.from({ length: 10 }, (_, i) => `a${i}`));
        // A follower holding the forward token gets what is written later, and only that.
        store.append(ev('w', 'b', 'elsewhere', T + 20));
        store.append(ev('w', 'a', 'later', T + 20));
        expect(messages((await store.getStreamEvents({ ...q, limit: 10, startFromHead: true, token })).events)).toEqual(['later']);
      });

      it('reads a time range: startTime inclusive, endTime exclusive; an empty range gives tokens a follower can use', async () => {
        const { store } = await open();
        fill(store, 10);
        const page = await store.getStreamEvents({ ...q, startTime: T + 3, endTime: T + 6, limit: 100, startFromHead: true });
        expect(messages(page.events)).toEqual(['a3', 'a4', 'a5']);
        const empty = await store.getStreamEvents({ ...q, startTime: T + 60_000, limit: 100, startFromHead: true });
        expect(empty.events).toEqual([]);
        store.append(ev('w', 'a', 'new', T + 61_000));
        expect(messages((await store.getStreamEvents({ ...q, limit: 100, startFromHead: true, token: empty.nextForwardToken })).events)).toEqual(['new']);
      });

      it('refuses a missing group, a missing stream and a token it did not hand out', async () => {
        const { store } = await open();
        fill(store, 2);
        await refusal(store.getStreamEvents({ ...q, group: fnGroup('nope'), limit: 5, startFromHead: true }), 'GroupNotFound');
        await refusal(store.getStreamEvents({ ...q, stream: streamOf('nope'), limit: 5, startFromHead: true }), 'StreamNotFound');
        await refusal(store.getStreamEvents({ ...q, limit: 5, startFromHead: true, token: 'x/1' }), 'InvalidToken');
      });
    });

    filterCases(open);
    infixCases(open);
    putCases(open);
    lifecycleCases(open);
    investigationCases(open);
    countCases(open);
    groupCases(open);
    subscriptionCases(open);
  });
}

function lifecycleCases(open: (options?: StoreOptions) => Promise<StoreHandle>): void {
  describe('deletion, retention, restart', () => {
    it('deletes a group with its streams and events for every read at once; logging again starts a new group', async () => {
      const { store } = await open();
      const a = invocation('gone', 'a', rid(1), T, ['secret words']);
      const b = invocation('kept', 'b', rid(2), T + 1, ['other words']);
      const { events, records } = batchOf([a, b]);
      await store.writeBatch(events, records);
      expect(await store.deleteGroup(fnGroup('gone'))).toBe(true);
      expect(await store.describeGroup(fnGroup('gone'))).toBeUndefined();
      expect((await store.describeGroups({ limit: 50 })).groups.map((g) => g.name)).toEqual([fnGroup('kept')]);
      expect((await store.filterEvents({ group: fnGroup('gone'), limit: 100 })).events).toEqual([]);
      await refusal(store.getStreamEvents({ group: fnGroup('gone'), stream: streamOf('a'), limit: 5, startFromHead: true }), 'GroupNotFound');
      expect((await store.requestEvents(rid(1), { limit: 100 })).events).toEqual([]);
      expect((await store.invocations({ text: { pattern: compilePattern('words') }, limit: 10 })).invocations.map((i) => i.requestId)).toEqual([rid(2)]);
      expect(await store.deleteGroup(fnGroup('gone'))).toBe(false);
      expect(messages((await store.filterEvents({ group: fnGroup('kept'), limit: 100 })).events)).toEqual(b.events.map((e) => e.message));
      store.append(ev('gone', 'a', 'again', T + 5));
      expect(messages((await store.filterEvents({ group: fnGroup('gone'), limit: 100 })).events)).toEqual(['again']);
      expect(await store.describeGroup(fnGroup('gone'))).toMatchObject({ storedBytes: 5, retentionDays: undefined });
    });

    it('keeps retention days on the group; refuses a group that does not exist', async () => {
      const { store } = await open();
      store.append(ev('r', 'a', 'x', T));
      expect(await store.setRetention(fnGroup('nope'), 7)).toBe(false);
      expect(await store.setRetention(fnGroup('r'), 7)).toBe(true);
      expect(await store.describeGroup(fnGroup('r'))).toMatchObject({ retentionDays: 7 });
      expect(await store.setRetention(fnGroup('r'), undefined)).toBe(true);
      expect(await store.describeGroup(fnGroup('r'))).toMatchObject({ retentionDays: undefined });
    });

    it("removes what is older than a group's retention: events, emptied streams, the function's records; stored bytes follow", async () => {
      const { store } = await open({ sweepIntervalMs: 50 });
      const now = Date.now();
      const keepOld = invocation('other', 'o', rid(1), now - 3 * 86_400_000, ['old but kept']);
      const old = invocation('ret', 'old', rid(2), now - 3 * 86_400_000 + 1, ['old line']);
      const recent = invocation('ret', 'new', rid(3), now - 60_000, ['recent line']);
      const batch = batchOf([keepOld, old]);
      await store.writeBatch(batch.events, batch.records);
      const later = batchOf([recent]);
      await store.writeBatch(later.events, later.records);
      expect(await store.setRetention(fnGroup('ret'), 1)).toBe(true);
      const left = async () => messages((await store.filterEvents({ group: fnGroup('ret'), limit: 100 })).events);
      await waitFor('the sweep ran', async () => (await left()).length === recent.events.length && (await store.getInvocation(rid(2))) === undefined);
      expect(await left()).toEqual(recent.events.map((e) => e.message));
      const streams = await store.describeStreams(fnGroup('ret'), { orderBy: 'LogStreamName', descending: false, limit: 50 });
      expect(streams.streams.map((s) => s.name)).toEqual([streamOf('new')]);
      expect(await store.describeGroup(fnGroup('ret'))).toMatchObject({ storedBytes: recent.events.reduce((n, e) => n + e.message.length, 0) });
      expect(await store.getInvocation(rid(3))).toBeDefined();
      expect(await store.getInvocation(rid(1))).toBeDefined(); // another group, no retention
      expect(messages((await store.filterEvents({ group: fnGroup('other'), limit: 100 })).events)).toEqual(keepOld.events.map((e) => e.message));
    });

    it('never shows a half-swept group: once an old event is gone, so are its emptied stream and its record', async () => {
      const { store } = await open({ sweepIntervalMs: 50 });
      const now = Date.now();
      const old = invocation('half', 'old', rid(2), now - 3 * 86_400_000, ['old line']);
      const recent = invocation('half', 'new', rid(3), now - 60_000, ['recent line']);
      const batch = batchOf([old, recent]);
      await store.writeBatch(batch.events, batch.records);
      expect(await store.setRetention(fnGroup('half'), 1)).toBe(true);
      // Read as fast as the store answers while the sweep runs (on PostgreSQL: on its own connections).
      for (let seen = 0; ; seen++) {
        const events = messages((await store.filterEvents({ group: fnGroup('half'), limit: 100 })).events);
        if (events.includes('old line')) {
          expect(seen, 'the sweep ran within the reads').toBeLessThan(20_000);
          await new Promise((resolve) => setImmediate(resolve)); // the sweep's timer gets its turn (SQLite answers without one)
          continue;
        }
        const streams = await store.describeStreams(fnGroup('half'), { orderBy: 'LogStreamName', descending: false, limit: 50 });
        expect(streams.streams.map((s) => s.name), 'the emptied stream went with its events').toEqual([streamOf('new')]);
        expect(await store.getInvocation(rid(2)), 'the old record went with its events').toBeUndefined();
        break;
      }
    });

    it('has everything after a restart, what was only queued at close too; order and tokens carry on', async () => {
      const h = await open();
      const inv = invocation('r', 'a', rid(1), T, ['stored']);
      const { events, records } = batchOf([inv]);
      await h.store.writeBatch(events, records);
      for (let i = 0; i < 5; i++) h.store.append(ev('r', 'a', `queued ${i}`, T + 100 + i));
      const firstPage = await h.store.filterEvents({ group: fnGroup('r'), limit: 3 });
      const forward = await h.store.getStreamEvents({ group: fnGroup('r'), stream: streamOf('a'), limit: 2, startFromHead: true });
      for (let i = 5; i < 8; i++) h.store.append(ev('r', 'a', `queued ${i}`, T + 100 + i));
      const store = await h.reopen();
      const expected = [...events.map((e) => e.message), ...Array.from({ length: 8 }, (_, i) => `queued ${i}`)];
      const rest = await allPages(store, { group: fnGroup('r'), limit: 3, token: firstPage.nextToken });
      expect([...messages(firstPage.events), ...messages(rest.events)]).toEqual(expected);
      const next = await store.getStreamEvents({ group: fnGroup('r'), stream: streamOf('a'), limit: 3, startFromHead: true, token: forward.nextForwardToken });
      expect(messages(next.events)).toEqual(expected.slice(2, 5));
      expect(await store.getInvocation(rid(1))).toMatchObject({ requestId: rid(1), functionName: 'r' });
      expect(await store.describeGroup(fnGroup('r'))).toMatchObject({ storedBytes: expected.reduce((n, m) => n + m.length, 0) });
      // A clock that went back across the restart still cannot put an event before older ones.
      store.append(ev('r', 'a', 'after restart', T));
      const all = (await allPages(store, { group: fnGroup('r'), limit: 100 })).events;
      expect(all.at(-1)).toMatchObject({ message: 'after restart', timestamp: T + 107 });
    });
  });
}
