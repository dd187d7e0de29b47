// LogReader.countEvents, as Logs Insights' `stats count(*) by bin(…)` relies on it: per bin, exactly
// the events a filterEvents read of the same group and range gives — stored and platform lines
// kept in records alike, other groups' events in between not counted — across its pages.
import { describe, expect, it } from 'vitest';
import type { LogReader, LogStore } from '../../src/logs/index.js';
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
}
