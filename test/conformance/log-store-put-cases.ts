// The log store conformance cases of streams clients write (CreateLogStream, PutLogEvents,
// DeleteLogStream; src/logs/put-events.ts): their events keep the client's timestamps, whatever
// the order of the batches, and every read finds them by those — GetLogEvents in time order,
// FilterLogEvents after the functions' events, counts by bin — while a function's own streams
// stay read-only.
import { describe, expect, it } from 'vitest';
import { compilePattern, type StoredEvent } from '../../src/logs/index.js';
import { allPages, ev, fnGroup, messages, refusal, streamOf, type StoreHandle, type StoreOptions } from './log-store-fixtures.js';
import { waitFor } from '../helpers/functions.js';

const NOW = Date.now();
const H = 3_600_000;

export function putCases(open: (options?: StoreOptions) => Promise<StoreHandle>): void {
  describe('streams clients write', () => {
    it('makes a stream once, in a group that exists', async () => {
      const { store } = await open();
      expect(await store.createStream('/app/orders', 'web-1')).toBe('noGroup');
      expect(await store.createGroup('/app/orders')).toBe(true);
      expect(await store.createStream('/app/orders', 'web-1')).toBe('done');
      expect(await store.createStream('/app/orders', 'web-1')).toBe('exists');
      expect(await store.putEvents('/app/orders', 'web-2', [{ timestamp: NOW, message: 'x' }])).toBe('noStream');
      expect(await store.putEvents('/app/nothing', 'web-1', [{ timestamp: NOW, message: 'x' }])).toBe('noGroup');
      const { streams } = await store.describeStreams('/app/orders', { orderBy: 'LogStreamName', descending: false, limit: 10 });
      expect(streams.map((s) => s.name)).toEqual(['web-1']);
    });

    it('reads a stream by the client\'s timestamps, whatever the order of the batches, a page at a time either way', async () => {
      const { store } = await open();
      await store.createGroup('/app/orders');
      await store.createStream('/app/orders', 'web-1');
      // A shipper catching up: the second batch is older than the first.
      expect(await store.putEvents('/app/orders', 'web-1', [{ timestamp: NOW - 2 * H, message: 'c' }, { timestamp: NOW - H, message: 'd' }])).toBe('done');
      expect(await store.putEvents('/app/orders', 'web-1', [{ timestamp: NOW - 5 * H, message: 'a' }, { timestamp: NOW - 4 * H, message: 'b' }])).toBe('done');
      const head = await store.getStreamEvents({ group: '/app/orders', stream: 'web-1', limit: 100, startFromHead: true });
      expect(head.events.map((e) => [e.message, e.timestamp])).toEqual([['a', NOW - 5 * H], ['b', NOW - 4 * H], ['c', NOW - 2 * H], ['d', NOW - H]]);
      // Forward two at a time to the end, where the token comes back unchanged.
      const seen: string[] = [];
      let token: string | undefined;
      for (let i = 0; i < 10; i++) {
        const page = await store.getStreamEvents({ group: '/app/orders', stream: 'web-1', limit: 2, startFromHead: true, token });
        seen.push(...messages(page.events));
        if (page.nextForwardToken === token) break;
        token = page.nextForwardToken;
      }
      expect(seen).toEqual(['a', 'b', 'c', 'd']);
      // The newest page by default, then backwards.
      const tail = await store.getStreamEvents({ group: '/app/orders', stream: 'web-1', limit: 2, startFromHead: false });
      expect(messages(tail.events)).toEqual(['c', 'd']);
      const back = await store.getStreamEvents({ group: '/app/orders', stream: 'web-1', limit: 2, startFromHead: false, token: tail.nextBackwardToken });
      expect(messages(back.events)).toEqual(['a', 'b']);
      const range = await store.getStreamEvents({ group: '/app/orders', stream: 'web-1', limit: 100, startFromHead: true, startTime: NOW - 4 * H, endTime: NOW - H });
      expect(messages(range.events)).toEqual(['b', 'c']);
      const [stream] = (await store.describeStreams('/app/orders', { orderBy: 'LogStreamName', descending: false, limit: 10 })).streams;
      expect([stream!.firstEvent, stream!.lastEvent]).toEqual([NOW - 5 * H, NOW - H]);
      expect((await store.describeGroup('/app/orders'))!.storedBytes).toBeGreaterThan(0);
    });

    it('filters a group\'s events: the functions\' first, then the put ones by time, with patterns, streams, ranges and tokens', async () => {
      const { store } = await open();
      await store.writeBatch([ev('f', 'a', 'fn one ERROR', NOW - 30_000), ev('f', 'a', 'fn two', NOW - 20_000)]);
      await store.createStream(fnGroup('f'), 'shipper');
      await store.createStream(fnGroup('f'), 'other');
      await store.putEvents(fnGroup('f'), 'shipper', [{ timestamp: NOW - 3 * H, message: 'put late ERROR' }, { timestamp: NOW - 2 * H, message: 'put later' }]);
      await store.putEvents(fnGroup('f'), 'other', [{ timestamp: NOW - 10 * H, message: 'put early ERROR' }]);
      const all = await allPages(store, { group: fnGroup('f'), limit: 100 });
      expect(messages(all.events)).toEqual(['fn one ERROR', 'fn two', 'put early ERROR', 'put late ERROR', 'put later']);
      for (const limit of [1, 2, 3]) expect(messages((await allPages(store, { group: fnGroup('f'), limit })).events)).toEqual(messages(all.events));
      expect(messages((await allPages(store, { group: fnGroup('f'), pattern: compilePattern('ERROR'), limit: 1 })).events)).toEqual(['fn one ERROR', 'put early ERROR', 'put late ERROR']);
      expect(messages((await allPages(store, { group: fnGroup('f'), streamNames: ['shipper'], limit: 100 })).events)).toEqual(['put late ERROR', 'put later']);
      expect(messages((await allPages(store, { group: fnGroup('f'), startTime: NOW - 4 * H, endTime: NOW - 2 * H, limit: 100 })).events)).toEqual(['put late ERROR']);
      const put = all.events.find((e) => e.message === 'put later') as StoredEvent;
      expect([put.logStream, put.timestamp]).toEqual(['shipper', NOW - 2 * H]);
      expect(put.ingestionTime).toBeGreaterThanOrEqual(NOW);
      // A follower from the last position reads only what is put after.
      const last = all.pages[all.pages.length - 1]!;
      await store.putEvents(fnGroup('f'), 'shipper', [{ timestamp: NOW, message: 'put newest' }]);
      expect(messages((await allPages(store, { group: fnGroup('f'), token: last.position, limit: 100 })).events)).toEqual(['put newest']);
      const bins = await store.countEvents({ group: fnGroup('f'), binMs: H, startTime: NOW - 11 * H });
      expect(bins.bins.reduce((n, b) => n + b.count, 0)).toBe(6);
      expect(bins.bins.find((b) => b.start === Math.floor((NOW - 10 * H) / H) * H)?.count).toBe(1);
    });

    it('keeps a function\'s streams read-only, deletes a put stream with its events, and a group with all of them', async () => {
      const { store } = await open();
      await store.writeBatch([ev('f', 'a', 'fn line', NOW)]);
      expect(await store.putEvents(fnGroup('f'), streamOf('a'), [{ timestamp: NOW, message: 'x' }])).toBe('written');
      expect(await store.deleteStream(fnGroup('f'), streamOf('a'))).toBe('written');
      expect(await store.deleteStream(fnGroup('f'), 'nope')).toBe('noStream');
      await store.createStream(fnGroup('f'), 'mine');
      const seen: string[] = [];
      const off = store.onWritten((b) => seen.push(...b.events.map((e) => `${e.stream}:${e.message}`)));
      await store.putEvents(fnGroup('f'), 'mine', [{ timestamp: NOW, message: 'put one' }]);
      off();
      expect(seen).toEqual(['mine:put one']);
      expect(await store.deleteStream(fnGroup('f'), 'mine')).toBe('done');
      await refusal(store.getStreamEvents({ group: fnGroup('f'), stream: 'mine', limit: 10, startFromHead: true }), 'StreamNotFound');
      expect(messages((await allPages(store, { group: fnGroup('f'), limit: 100 })).events)).toEqual(['fn line']);
      await store.createStream(fnGroup('f'), 'mine');
      await store.putEvents(fnGroup('f'), 'mine', [{ timestamp: NOW, message: 'again' }]);
      expect(await store.deleteGroup(fnGroup('f'))).toBe(true);
      await store.createGroup(fnGroup('f'));
      expect(await store.createStream(fnGroup('f'), 'mine')).toBe('done');
      expect((await allPages(store, { group: fnGroup('f'), limit: 100 })).events).toEqual([]);
    });

    it('removes put events older than the group\'s retention by their own timestamps, and a stream left empty', async () => {
      const { store } = await open({ sweepIntervalMs: 50 });
      await store.createGroup('/app/ret');
      await store.createStream('/app/ret', 'old');
      await store.createStream('/app/ret', 'mixed');
      await store.putEvents('/app/ret', 'old', [{ timestamp: NOW - 3 * 24 * H, message: 'gone' }]);
      await store.putEvents('/app/ret', 'mixed', [{ timestamp: NOW - 3 * 24 * H, message: 'gone too' }, { timestamp: NOW - 3 * 24 * H + 1000, message: 'and this' }]);
      await store.putEvents('/app/ret', 'mixed', [{ timestamp: NOW - H, message: 'kept' }]);
      expect(await store.setRetention('/app/ret', 1)).toBe(true);
      const left = async () => messages((await allPages(store, { group: '/app/ret', limit: 100 })).events);
      await waitFor('the sweep ran', async () => (await left()).length === 1);
      expect(await left()).toEqual(['kept']);
      await waitFor('the empty stream went', async () => (await store.describeStreams('/app/ret', { orderBy: 'LogStreamName', descending: false, limit: 10 })).streams.length === 1);
      expect(await store.describeGroup('/app/ret')).toMatchObject({ storedBytes: Buffer.byteLength('kept') + 26 });
    });
  });
}
