// What Logs Insights relies on besides plain reads. LogReader.countEvents (`stats count(*) by
// bin(…)`): per bin, exactly the events a filterEvents read of the same group and range gives —
// stored and platform lines kept in records alike, other groups' events in between not counted —
// across its pages. A pattern's `contains` (`@message like "…"`): a store that checks it itself
// still gives every match once, across pages, among many events that do not match.
import { describe, expect, it } from 'vitest';
import type { CompiledPattern, LogReader, LogStore } from '../../src/logs/index.js';
import { allPages, batchOf, ev, fnGroup, invocation, rid, type StoreHandle, type StoreOptions } from './log-store-fixtures.js';

const T = Math.floor((Date.now() - 30 * 60_000) / 60_000) * 60_000;

async function countAll(store: LogReader, q: { group: string; startTime?: number; endTime?: number; binMs: number }): Promise<Record<number, number>> {
  const bins: Record<number, number> = {};
  let token: string | undefined;
  do {
    const page = await store.countEvents({ ...q, token });
    for (const b of page.bins) {
      expect(b.start % q.binMs).toBe(0);
      bins[b.start] = (bins[b.start] ?? 0) + b.count;
    }
    token = page.nextToken;
  } while (token !== undefined);
  return bins;
}

async function byReading(store: LogReader, q: { group: string; startTime?: number; endTime?: number; binMs: number }): Promise<Record<number, number>> {
  const bins: Record<number, number> = {};
  for (const e of (await allPages(store, { group: q.group, startTime: q.startTime, endTime: q.endTime, limit: 10_000 })).events) {
    const start = Math.floor(e.timestamp / q.binMs) * q.binMs;
    bins[start] = (bins[start] ?? 0) + 1;
  }
  return bins;
}

export function countCases(open: (options?: StoreOptions) => Promise<StoreHandle>): void {
  describe('countEvents', () => {
    async function filled(): Promise<LogStore> {
      const { store } = await open();
      // Group w: invocations (START, lines, END, REPORT kept with their records) every 20 s over
      // 6 minutes; group x's events in between; a few plain events of w.
      const invs = Array.from({ length: 18 }, (_, i) => invocation('w', i % 2 ? 'a' : 'b', rid(i + 1), T + i * 20_000, Array.from({ length: i % 4 }, (_, k) => `line ${k}`)));
      for (let i = 0; i < invs.length; i += 3) {
        const { events, records } = batchOf(invs.slice(i, i + 3));
        await store.writeBatch([...events, ev('x', 'c', 'other group', T + i * 20_000 + 5)], records);
      }
      await store.writeBatch([ev('w', 'a', 'plain one', T + 400_000), ev('w', 'a', 'plain two', T + 400_001)]);
      return store;
    }

    it('counts per bin what a read of the group gives, kept platform lines included', async () => {
      const store = await filled();
      for (const binMs of [60_000, 7_000, 3_600_000]) {
        const want = await byReading(store, { group: fnGroup('w'), binMs });
        expect(Object.values(want).reduce((a, b) => a + b)).toBeGreaterThan(70);
        expect(await countAll(store, { group: fnGroup('w'), binMs })).toEqual(want);
      }
    });

    it('within a time range; a group that does not exist, or was deleted, counts nothing', async () => {
      const store = await filled();
      const q = { group: fnGroup('w'), startTime: T + 65_000, endTime: T + 250_000, binMs: 60_000 };
      expect(await countAll(store, q)).toEqual(await byReading(store, q));
      expect(Object.keys(await countAll(store, q)).map(Number)).toEqual([T + 60_000, T + 120_000, T + 180_000, T + 240_000]);
      expect(await countAll(store, { group: fnGroup('nope'), binMs: 60_000 })).toEqual({});
      await store.deleteGroup(fnGroup('w'));
      expect(await countAll(store, { group: fnGroup('w'), binMs: 60_000 })).toEqual({});
    });
  });

  describe('filterEvents with text to contain', () => {
    it('finds every event containing a word fragment, kept platform lines too, page after page', async () => {
      const { store } = await open();
      // 30,000 events of noise, with a fragment in a few, and invocations whose REPORT has it.
      const noise = Array.from({ length: 30_000 }, (_, i) => ev('w', i % 3 ? 'a' : 'b', i % 7_001 === 5 ? `got xzanzibary at ${i}` : `noise ${i}`, T + i));
      await store.writeBatch(noise);
      const { events, records } = batchOf([invocation('w', 'a', rid(1), T + 40_000, ['zanzibar in a line'])]);
      await store.writeBatch(events, records);
      const fragment = (text: string): CompiledPattern => ({ words: undefined, weight: 1, contains: [text], test: (m) => m.includes(text) });
      for (const limit of [1, 10_000]) {
        const got = (await allPages(store, { group: fnGroup('w'), pattern: fragment('zanzibar'), limit })).events.map((e) => e.message);
        expect(got).toEqual([...noise.filter((e) => e.message.includes('zanzibar')).map((e) => e.message), 'zanzibar in a line']);
      }
      const reports = (await allPages(store, { group: fnGroup('w'), pattern: fragment('EPORT RequestId'), limit: 100 })).events;
      expect(reports.map((e) => e.requestId)).toEqual([rid(1)]);
    });
  });
}
