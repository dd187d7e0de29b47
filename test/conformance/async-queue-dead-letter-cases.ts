// The AsyncQueue conformance suite, part two (part one: async-queue-cases.ts): the dead-letter
// list of a function: its cap and the drops counted, its pages, redrive, and a deleted function's.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NewEvent } from '../../src/scheduler/async-queue.js';
import { event, failed, type Harness } from './async-queue-harness.js';

export function deadLetterCases(h: Harness): void {
  const { store, openOn, reopen, queue, bury } = h;

  describe('the dead-letter cap', () => {
    it('keeps a function\'s newest letters, says how many went, and counts them per function', async () => {
      const q = await queue({ deadLetterLimit: 3 });
      expect(q.deadLetterLimit).toBe(3);
      const ids: string[] = [];
      const dropped: number[] = [];
      for (let i = 0; i < 5; i++) {
        const e = event('capped');
        ids.push(e.id);
        dropped.push(await bury(q, e));
      }
      await bury(q, event('other'));
      expect(dropped).toEqual([0, 0, 0, 1, 1]);
      expect((await q.deadLetters('capped')).letters.map((l) => l.id)).toEqual(ids.slice(2));
      expect(await q.deadLetterCounts()).toEqual(new Map([['capped', 3], ['other', 1]]));
      expect(await q.deadLetterDrops()).toEqual(new Map([['capped', 2]]));
    });

    it('defaults to 10,000 letters per function', async () => {
      expect((await queue()).deadLetterLimit).toBe(10_000);
    });

    it('trims to a lower cap at reopen, counting what went; the drop count survives the reopen', async () => {
      const s = await store();
      let q = await openOn(s, { deadLetterLimit: 5 });
      for (let i = 0; i < 5; i++) await bury(q, event('f'));
      await bury(q, event('g'));
      q = await reopen(s, q, { deadLetterLimit: 2 });
      expect(await q.deadLetterCounts()).toEqual(new Map([['f', 2], ['g', 1]]));
      expect(await q.deadLetterDrops()).toEqual(new Map([['f', 3]]));
      q = await reopen(s, q, { deadLetterLimit: 2 });
      expect(await q.deadLetterDrops()).toEqual(new Map([['f', 3]]));
    });

    it('counts the letters of concurrent finishes into a full list exactly', async () => {
      const q = await queue({ deadLetterLimit: 10 });
      const queued = await Promise.all(Array.from({ length: 40 }, () => q.enqueue(event('busy'))));
      const done = await Promise.all(queued.map((e) => q.finish(e, { deadLetter: failed() })));
      expect(done.reduce((s, d) => s + d.dropped, 0)).toBe(30);
      expect(await q.deadLetterCounts()).toEqual(new Map([['busy', 10]]));
      expect(await q.deadLetterDrops()).toEqual(new Map([['busy', 30]]));
      // Ten distinct letters of those events are kept (which ten: the last ten to finish, an order
      // concurrent finishes do not promise; the sequential case above checks oldest-first).
      const kept = (await q.deadLetters('busy')).letters.map((l) => l.id);
      expect(new Set(kept).size).toBe(10);
      const ids = new Set(queued.map((e) => e.id));
      expect(kept.every((id) => ids.has(id))).toBe(true);
    });
  });

  describe('dead-letter pages', () => {
    it('pages oldest first; the last page has no next, also when it is exactly full', async () => {
      const q = await queue();
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const e = event('f');
        ids.push(e.id);
        await bury(q, e);
      }
      const first = await q.deadLetters('f', { limit: 2 });
      expect(first.letters.map((l) => l.id)).toEqual(ids.slice(0, 2));
      expect(first.next).toBeDefined();
      const second = await q.deadLetters('f', { after: first.next, limit: 2 });
      expect(second.letters.map((l) => l.id)).toEqual(ids.slice(2));
      expect(second.next).toBeUndefined();
      const three = await q.deadLetters('f', { limit: 3 });
      const rest = await q.deadLetters('f', { after: three.next, limit: 3 });
      expect([...three.letters, ...rest.letters].map((l) => l.id)).toEqual(ids);
      expect(rest.next).toBeUndefined();
      expect((await q.deadLetters('f', { limit: 4 })).next).toBeUndefined();
    });

    it('pages one function only, however its letters interleave with another\'s', async () => {
      const q = await queue();
      const mine: string[] = [];
      for (let i = 0; i < 9; i++) {
        const e = event(i % 3 === 0 ? 'mine' : 'theirs');
        if (e.functionName === 'mine') mine.push(e.id);
        await bury(q, e);
      }
      const seen: string[] = [];
      let after: number | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await q.deadLetters('mine', { after, limit: 1 });
        seen.push(...page.letters.map((l) => l.id));
        if (page.next === undefined) break;
        after = page.next;
      }
      expect(seen).toEqual(mine);
      expect(await q.deadLetters('nobody')).toEqual({ letters: [] });
    });

    it('answers an empty last page after the end, and clamps the page size to 1…1,000 (100 by default)', async () => {
      const q = await queue();
      for (let i = 0; i < 102; i++) await bury(q, event('many', Buffer.from('{}')));
      const all = await q.deadLetters('many', { limit: 1_000 });
      expect(all.letters).toHaveLength(102);
      expect(all.next).toBeUndefined();
      expect(await q.deadLetters('many', { after: all.letters.at(-1)!.seq })).toEqual({ letters: [] });
      const byDefault = await q.deadLetters('many');
      expect(byDefault.letters).toHaveLength(100);
      expect((await q.deadLetters('many', { after: byDefault.next })).letters).toHaveLength(2);
      expect((await q.deadLetters('many', { limit: 0 })).letters).toHaveLength(1);
      expect((await q.deadLetters('many', { limit: 5_000 })).letters).toHaveLength(102);
    });

    it('stops a page soon after 4 MB of payloads, one letter at least, and loses none between pages', async () => {
      const q = await queue();
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const e = event('big', randomBytes(1536 * 1024));
        ids.push(e.id);
        await bury(q, e);
      }
      await bury(q, event('big', randomBytes(5 * 1024 * 1024)));
      const sizes: number[] = [];
      const seen: string[] = [];
      let after: number | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await q.deadLetters('big', { after, limit: 1_000 });
        expect(page.letters.length).toBeGreaterThanOrEqual(1);
        const bytes = page.letters.reduce((s, l) => s + l.payload.length, 0);
        // Within the limit but for the letter that passed it.
        expect(bytes - page.letters.at(-1)!.payload.length).toBeLessThanOrEqual(4 * 1024 * 1024);
        sizes.push(page.letters.length);
        seen.push(...page.letters.map((l) => l.id));
        if (page.next === undefined) break;
        after = page.next;
      }
      expect(seen.slice(0, 4)).toEqual(ids);
      expect(seen).toHaveLength(5);
      expect(sizes.length).toBeGreaterThan(1);
    });
  });

  describe('redrive', () => {
    it('puts a function\'s letters back as fresh events, oldest first, same request ids and payloads', async () => {
      const q = await queue({ deadLetterLimit: 3 });
      const buried: NewEvent[] = [];
      for (let i = 0; i < 4; i++) {
        const e = event('f', Buffer.from(`p${i}`));
        buried.push(e);
        await bury(q, e);
      }
      await bury(q, event('g'));
      const before = Date.now();
      const events = await q.redrive('f');
      expect(events.map((e) => e.id)).toEqual(buried.slice(1).map((e) => e.id));
      for (const e of events) {
        expect(e).toMatchObject({ functionName: 'f', attempts: 0, throttles: 0 });
        expect(e.nextAt).toBeGreaterThanOrEqual(before);
        expect(e.enqueuedAt).toBe(e.nextAt); // its age starts again
      }
      expect((await Promise.all(events.map((e) => q.claim(e)))).map((p) => p?.toString())).toEqual(['p1', 'p2', 'p3']);
      expect((await q.pending()).map((e) => e.id)).toEqual(events.map((e) => e.id));
      expect(await q.deadLetters('f')).toEqual({ letters: [] });
      expect(await q.deadLetterCounts()).toEqual(new Map([['g', 1]]));
      // What the cap removed before stays counted.
      expect(await q.deadLetterDrops()).toEqual(new Map([['f', 1]]));
      expect(await q.redrive('f')).toEqual([]);
    });

    it('redriven events are durable', async () => {
      const s = await store();
      let q = await openOn(s);
      await bury(q, event('f', Buffer.from('again')));
      const [e] = await q.redrive('f');
      q = await reopen(s, q);
      const pending = await q.pending();
      expect(pending.map((p) => p.seq)).toEqual([e!.seq]);
      expect((await q.claim(pending[0]!))?.toString()).toBe('again');
      expect((await q.deadLetterCounts()).size).toBe(0);
    });
  });

  describe('a deleted function', () => {
    it('forgetting its letters removes them and its drop count; others and its queued events stay', async () => {
      const s = await store();
      let q = await openOn(s, { deadLetterLimit: 1 });
      await bury(q, event('gone'));
      await bury(q, event('gone'));
      await bury(q, event('kept'));
      const queued = await q.enqueue(event('gone'));
      await q.forgetDeadLetters('gone');
      expect(await q.deadLetters('gone')).toEqual({ letters: [] });
      expect(await q.deadLetterCounts()).toEqual(new Map([['kept', 1]]));
      expect(await q.deadLetterDrops()).toEqual(new Map());
      expect((await q.pending()).map((e) => e.seq)).toEqual([queued.seq]);
      q = await reopen(s, q, { deadLetterLimit: 1 });
      expect(await q.deadLetterCounts()).toEqual(new Map([['kept', 1]]));
      // A new function of the same name starts clean.
      expect(await bury(q, event('gone'))).toBe(0);
      expect(await q.deadLetterCounts()).toEqual(new Map([['gone', 1], ['kept', 1]]));
      expect(await q.deadLetterDrops()).toEqual(new Map());
      expect(await q.redrive('gone')).toHaveLength(1);
      await q.forgetDeadLetters('never-existed');
    });
  });

}
