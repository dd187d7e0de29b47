// The log store conformance cases of FilterLogEvents (log-store-cases.ts runs them): filter
// patterns over enough events that an index must find them, paging, ranges, streams, levels, and a
// follower reading from its position while appends go on.
import { describe, expect, it } from 'vitest';
import { compilePattern, type LogEvent, type StoredEvent } from '../../src/logs/index.js';
import { allPages, ev, fnGroup, messages, refusal, streamOf, type StoreHandle, type StoreOptions } from './log-store-fixtures.js';

const T = Date.now() - 10 * 60_000;
const ids = (events: readonly StoredEvent[]) => events.map((e) => e.eventId);

export function filterCases(open: (options?: StoreOptions) => Promise<StoreHandle>): void {
  describe('FilterLogEvents', () => {
    const MATCHING = [
      'ERROR disk full', '[ERROR] disk', 'ERRORS everywhere', 'error lower', 'the disk fullness',
      '{"level":"warn","n":12,"user":{"id":"u-7"}}', 'INFO\t{"s":"xyz"}', 'abbbc here', 'caf\u00e9 au lait',
    ];
    /** The lines above spread among many others, so that a store's index has to find them. */
    const corpus = (): LogEvent[] => {
      const out: LogEvent[] = [];
      MATCHING.forEach((m, i) => {
        for (let k = 0; k < 40; k++) out.push(ev('f', `e${k % 3}`, `filler ${i}-${k} nothing to see`, T + out.length));
        out.push(ev('f', 'e1', m, T + out.length));
      });
      return out;
    };

    it.each([
      ['ERROR', ['ERROR disk full', '[ERROR] disk']],
      ['"disk full"', ['ERROR disk full']],
      ['?ERRORS ?lower', ['ERRORS everywhere', 'error lower']],
      ['disk -full', ['[ERROR] disk', 'the disk fullness']],
      ['{ $.n >= 10 }', ['{"level":"warn","n":12,"user":{"id":"u-7"}}']],
      ['{ $.user.id = "u-*" }', ['{"level":"warn","n":12,"user":{"id":"u-7"}}']],
      ['{ $.s = "x*z" }', ['INFO\t{"s":"xyz"}']],
      ['{ $.level = "warn" || $.s = "xyz" }', ['{"level":"warn","n":12,"user":{"id":"u-7"}}', 'INFO\t{"s":"xyz"}']],
      ['disk ?full ?ERROR', ['ERROR disk full', '[ERROR] disk']],
      ['%ab+c%', ['abbbc here']],
      ['%ERROR|lower%', ['ERROR disk full', '[ERROR] disk', 'ERRORS everywhere', 'error lower']],
      ['caf\u00e9', ['caf\u00e9 au lait']],
      ['nowhere', []],
    ])('pattern %s finds exactly its lines, in order', async (pattern, expected) => {
      const { store } = await open();
      await store.writeBatch(corpus());
      const { events } = await allPages(store, { group: fnGroup('f'), pattern: compilePattern(pattern), limit: 10_000 });
      expect(messages(events)).toEqual(expected);
    });

    it('pages through the matches with its tokens, each once and in order, whatever the limit', async () => {
      const { store } = await open();
      const events = Array.from({ length: 500 }, (_, i) => ev('f', `e${i % 4}`, i % 7 === 0 ? `needle ${i}` : `hay ${i}`, T + i));
      await store.writeBatch(events.slice(0, 250));
      for (const e of events.slice(250)) store.append(e);
      const needles = events.filter((e) => e.message.startsWith('needle')).map((e) => e.message);
      for (const limit of [1, 2, needles.length, needles.length + 1, 10_000]) {
        const { events: got, pages } = await allPages(store, { group: fnGroup('f'), pattern: compilePattern('needle'), limit });
        expect(messages(got)).toEqual(needles);
        for (const p of pages) expect(p.events.length).toBeLessThanOrEqual(limit);
      }
      const everything = await allPages(store, { group: fnGroup('f'), limit: 37 });
      expect(messages(everything.events)).toEqual(events.map((e) => e.message));
      expect(new Set(ids(everything.events)).size).toBe(500);
    });

    it('reads a time range, some streams by name or prefix, some levels', async () => {
      const { store } = await open();
      for (let i = 0; i < 12; i++) store.append(ev('f', `e${i % 3}`, `m${i}`, T + i, undefined, i % 4 === 0 ? 'ERROR' : 'INFO'));
      const read = async (more: object) => messages((await allPages(store, { group: fnGroup('f'), limit: 100, ...more })).events);
      expect(await read({ startTime: T + 4, endTime: T + 7 })).toEqual(['m4', 'm5', 'm6']);
      expect(await read({ streamNames: [streamOf('e1')] })).toEqual(['m1', 'm4', 'm7', 'm10']);
      expect(await read({ streamNames: [streamOf('e1'), streamOf('e2')], startTime: T + 6 })).toEqual(['m7', 'm8', 'm10', 'm11']);
      expect(await read({ streamPrefix: streamOf('e2') })).toEqual(['m2', 'm5', 'm8', 'm11']);
      expect(await read({ streamNames: [streamOf('none')] })).toEqual([]);
      expect(await read({ levels: ['ERROR'] })).toEqual(['m0', 'm4', 'm8']);
    });

    it('reads a group that does not exist as empty; its position, and any page\'s, shows a follower only what comes after', async () => {
      const { store } = await open();
      const none = await store.filterEvents({ group: fnGroup('late'), limit: 100 });
      expect(none).toMatchObject({ events: [], nextToken: undefined });
      store.append(ev('late', 'a', 'first', T));
      const first = await store.filterEvents({ group: fnGroup('late'), limit: 100, token: none.position });
      expect(messages(first.events)).toEqual(['first']);
      store.append(ev('late', 'a', 'second', T + 1));
      store.append(ev('other', 'a', 'not mine', T + 1));
      const second = await store.filterEvents({ group: fnGroup('late'), limit: 100, token: first.position });
      expect(messages(second.events)).toEqual(['second']);
      expect((await store.filterEvents({ group: fnGroup('late'), limit: 100, token: second.position })).events).toEqual([]);
    });

    it('gives a follower polling from its position every event once, in order, while appends go on and other reads run', async () => {
      const { store } = await open();
      const appended: string[] = [];
      const seen: string[] = [];
      let position: string | undefined;
      const follow = async () => {
        const page = await store.filterEvents({ group: fnGroup('c'), limit: 10_000, token: position });
        seen.push(...messages(page.events));
        position = page.position;
      };
      for (let i = 0; i < 400; i++) {
        appended.push(`line ${i}`);
        store.append(ev('c', `e${i % 5}`, `line ${i}`, T + i));
        if (i % 3 === 0) store.append(ev('other', 'x', `noise ${i}`, T + i));
        if (i % 40 === 0) {
          // Other callers read at the same time (API requests are concurrent).
          await Promise.all([follow(), store.filterEvents({ group: fnGroup('c'), limit: 5 }), store.describeGroups({ limit: 5 })]);
          expect(seen).toEqual(appended.slice(0, seen.length));
        }
      }
      await follow();
      expect(seen).toEqual(appended);
    });

    it('refuses a token it did not hand out', async () => {
      const { store } = await open();
      store.append(ev('f', 'a', 'x', T));
      await refusal(store.filterEvents({ group: fnGroup('f'), limit: 5, token: 'nope' }), 'InvalidToken');
    });
  });
}
