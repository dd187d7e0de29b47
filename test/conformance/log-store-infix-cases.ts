// The log store conformance cases of text inside words (CompiledPattern.contains, as Logs
// Insights' `@message like /rare/` gives it): a store may find such text through an index of its
// own, built when it likes (StoreHandle.settle lets it catch up); the answers must be the same
// before, after, and with events written since.
import { describe, expect, it } from 'vitest';
import type { CompiledPattern, LogEvent } from '../../src/logs/index.js';
import { allPages, ev, fnGroup, messages, type StoreHandle, type StoreOptions } from './log-store-fixtures.js';

const T = Date.now() - 10 * 60_000;

/** What the Insights pushdown hands a store for `like "text"`: no whole words, only the text. */
const containing = (...texts: string[]): CompiledPattern => ({ words: undefined, weight: 1, contains: texts, test: (m) => texts.every((t) => m.includes(t)) });

export function infixCases(open: (options?: StoreOptions) => Promise<StoreHandle>): void {
  describe('text inside words', () => {
    /** Lines with the text among many without, over several blocks and two groups. */
    const corpus = (from: number): LogEvent[] => {
      const out: LogEvent[] = [];
      for (let i = 0; i < 600; i++) {
        const fn = i % 5 === 0 ? 'other' : 'f';
        const rare = i % 97 === 13 ? ` unrarely${from + i}x` : '';
        out.push(ev(fn, `e${i % 3}`, `filler line ${from + i} order=${i % 50} fail${rare}`, T + from + i));
      }
      return out;
    };
    const expected = (events: readonly LogEvent[], p: CompiledPattern) => events.filter((e) => e.group === fnGroup('f') && p.test(e.message)).map((e) => e.message);

    it('finds a word\'s fragment, a text across words, and short text, whether indexed yet or not', async () => {
      const h = await open();
      const first = corpus(0);
      await h.store.writeBatch(first);
      const patterns = [containing('rarel'), containing('ly1'), containing('rder=4 fa'), containing('ra'), containing('ord', 'rarely4'), containing('nowhere')];
      const read = async (p: CompiledPattern, limit: number) => messages((await allPages(h.store, { group: fnGroup('f'), pattern: p, limit })).events);
      for (const p of patterns) expect(await read(p, 10_000)).toEqual(expected(first, p));
      await h.settle?.();
      const second = corpus(10_000);
      for (const e of second) h.store.append(e); // written after the index caught up
      const all = [...first, ...second];
      for (const p of patterns) {
        expect(await read(p, 10_000)).toEqual(expected(all, p));
        expect(await read(p, 2)).toEqual(expected(all, p));
      }
      expect(expected(all, patterns[0]!).length).toBeGreaterThan(4);
      // A time range: only its events.
      const range = await allPages(h.store, { group: fnGroup('f'), pattern: containing('rarel'), startTime: T + 10_000, limit: 100 });
      expect(messages(range.events)).toEqual(expected(second, patterns[0]!));
    });
  });
}
