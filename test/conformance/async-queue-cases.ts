// The AsyncQueue conformance suite (src/scheduler/async-queue.ts): what every implementation must
// do, as the async invoker and lambkin's async routes rely on it, run by one short file per
// implementation (async-queue-sqlite.test.ts). Behaviour only, never SQL: a PostgreSQL
// implementation passes the same cases. A case an implementation cannot meet by design (two queues
// open on one store) is declared by its capabilities, never skipped silently.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { AsyncQueue, AsyncQueueOptions, DeadLetterOutcome, NewEvent } from '../../src/scheduler/async-queue.js';
import { waitFor } from '../helpers/functions.js';

export interface QueueStore {
  /** Open the store (again after a close: the same data). */
  open(options?: AsyncQueueOptions): Promise<AsyncQueue>;
  /** Shared stores only: open it as the node `node`, whose claims last `claimLeaseMs`. */
  openNode?(node: string, claimLeaseMs: number): Promise<AsyncQueue>;
  /** Remove the store; its queues are closed first. */
  remove(): Promise<void>;
}

export interface AsyncQueueUnderTest {
  readonly name: string;
  /** A fresh, empty store. */
  fresh(): Promise<QueueStore>;
  /** Two queues may be open on one store at once (several nodes share it). */
  readonly shared: boolean;
}

let n = 0;
function event(functionName = 'fn', payload: Buffer = Buffer.from(`{"n":${++n}}`), qualifier = ''): NewEvent {
  return { id: `req-${++n}`, functionName, qualifier, payload };
}

const failed = (condition = 'RetriesExhausted', more: Partial<DeadLetterOutcome> = {}): DeadLetterOutcome =>
  ({ failedAt: Date.now(), attempts: 3, condition, errorType: 'Error', errorMessage: 'boom', ...more });

export function asyncQueueConformance(impl: AsyncQueueUnderTest): void {
  describe(`AsyncQueue conformance: ${impl.name}`, () => {
    const stores: QueueStore[] = [];
    const open: AsyncQueue[] = [];

    afterEach(async () => {
      for (const q of open.splice(0)) await q.close().catch(() => undefined);
      for (const s of stores.splice(0)) await s.remove();
    });

    async function store(): Promise<QueueStore> {
      const s = await impl.fresh();
      stores.push(s);
      return s;
    }

    async function openOn(s: QueueStore, options?: AsyncQueueOptions): Promise<AsyncQueue> {
      const q = await s.open(options);
      open.push(q);
      return q;
    }

    async function reopen(s: QueueStore, q: AsyncQueue, options?: AsyncQueueOptions): Promise<AsyncQueue> {
      await q.close();
      open.splice(open.indexOf(q), 1);
      return openOn(s, options);
    }

    /** A queue on a fresh store. */
    async function queue(options?: AsyncQueueOptions): Promise<AsyncQueue> {
      return openOn(await store(), options);
    }

    /** Enqueue, then finish into the dead-letter list; answers what finish said was dropped. */
    async function bury(q: AsyncQueue, e: NewEvent, outcome = failed()): Promise<number> {
      const queued = await q.enqueue(e);
      expect(await q.claim(queued)).toBeDefined();
      return (await q.finish(queued, { deadLetter: outcome })).dropped;
    }

    describe('enqueue and claim', () => {
      it('answers the queued event, and claim answers its payload byte for byte', async () => {
        const q = await queue();
        const before = Date.now();
        const payload = Buffer.concat([Buffer.from([0, 255, 0]), randomBytes(256 * 1024)]);
        const e = await q.enqueue({ id: 'r1', functionName: 'f', qualifier: 'live', payload });
        expect(e).toMatchObject({ id: 'r1', functionName: 'f', qualifier: 'live', attempts: 0, throttles: 0 });
        expect(e.enqueuedAt).toBeGreaterThanOrEqual(before);
        expect(e.enqueuedAt).toBeLessThanOrEqual(Date.now());
        expect(e.nextAt).toBe(e.enqueuedAt);
        expect((await q.claim(e))?.equals(payload)).toBe(true);
      });

      it('keeps an empty payload (it is not "gone")', async () => {
        const q = await queue();
        const e = await q.enqueue(event('f', Buffer.alloc(0)));
        const payload = await q.claim(e);
        expect(payload).toBeDefined();
        expect(payload!.length).toBe(0);
      });

      it('gives each enqueue a larger seq than the one before', async () => {
        const q = await queue();
        const seqs: number[] = [];
        for (let i = 0; i < 20; i++) seqs.push((await q.enqueue(event(i % 2 ? 'a' : 'b'))).seq);
        expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
        expect(new Set(seqs).size).toBe(20);
      });

      it('keeps every one of many concurrent enqueues, each with its own seq and payload', async () => {
        const q = await queue();
        const events = Array.from({ length: 300 }, (_, i) => event(`f${i % 7}`, Buffer.from(`payload ${i}`)));
        const queued = await Promise.all(events.map((e) => q.enqueue(e)));
        expect(new Set(queued.map((e) => e.seq)).size).toBe(300);
        const pending = await q.pending();
        expect(pending.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
        const payloads = await Promise.all(queued.map((e) => q.claim(e)));
        expect(payloads.map((p) => p?.toString())).toEqual(events.map((e) => e.payload.toString()));
      });
    });

    describe('pending, retry and durability', () => {
      it('answers every unfinished event ordered by nextAt, then seq', async () => {
        const q = await queue();
        const [a, b, c, d] = [await q.enqueue(event('x')), await q.enqueue(event('y')), await q.enqueue(event('x')), await q.enqueue(event('z'))];
        const t = Date.now();
        a!.nextAt = t + 3_000;
        b!.nextAt = t + 1_000;
        c!.nextAt = t + 1_000;
        for (const e of [a!, b!, c!]) await q.retry(e);
        // d keeps its nextAt (its enqueue time): the earliest.
        expect((await q.pending()).map((e) => e.id)).toEqual([d!.id, b!.id, c!.id, a!.id]);
      });

      it('keeps what it accepted across a close and a reopen: same seq, id, attempts, nextAt and payload', async () => {
        const s = await store();
        let q = await openOn(s);
        const kept = await q.enqueue({ id: 'keep-me', functionName: 'f', qualifier: '3', payload: Buffer.from('{"a":1}') });
        const retried = await q.enqueue(event('g'));
        retried.attempts = 2;
        retried.nextAt = Date.now() + 60_000;
        await q.retry(retried);
        const done = await q.enqueue(event('f'));
        await q.finish(done);
        q = await reopen(s, q);
        const pending = await q.pending();
        expect(pending.map((e) => e.id)).toEqual(['keep-me', retried.id]);
        expect(pending[0]).toMatchObject({ seq: kept.seq, functionName: 'f', qualifier: '3', attempts: 0, nextAt: kept.nextAt, enqueuedAt: kept.enqueuedAt, throttles: 0 });
        expect(pending[1]).toMatchObject({ seq: retried.seq, attempts: 2, nextAt: retried.nextAt, throttles: 0 });
        expect((await q.claim(pending[0]!))?.toString()).toBe('{"a":1}');
        // A claimed, unfinished event is still there after another restart (delivery is at least once).
        q = await reopen(s, q);
        expect((await q.pending()).map((e) => e.id)).toEqual(['keep-me', retried.id]);
        expect((await q.claim(pending[0]!))?.toString()).toBe('{"a":1}');
      });

      it('keeps seqs growing after a reopen (a new event never takes an old one\'s place)', async () => {
        const s = await store();
        let q = await openOn(s);
        const first = await q.enqueue(event());
        await q.finish(first);
        q = await reopen(s, q);
        expect((await q.enqueue(event())).seq).toBeGreaterThan(first.seq);
      });

      it('records a retry\'s attempts and nextAt; the event stays claimable', async () => {
        const q = await queue();
        const e = await q.enqueue(event());
        await q.claim(e);
        e.attempts = 1;
        e.nextAt = Date.now() + 120_000;
        await q.retry(e);
        const [p] = await q.pending();
        expect(p).toMatchObject({ seq: e.seq, attempts: 1, nextAt: e.nextAt });
        expect(await q.claim(p!)).toBeDefined();
      });

      it('a retry of a finished event does not bring it back', async () => {
        const q = await queue();
        const e = await q.enqueue(event());
        await q.finish(e);
        e.attempts = 1;
        await q.retry(e);
        expect(await q.pending()).toEqual([]);
        expect(await q.claim(e)).toBeUndefined();
      });

      it('refuses work once closed, instead of hanging', async () => {
        const s = await store();
        const q = await s.open();
        await q.close();
        await expect(q.enqueue(event())).rejects.toThrow();
        await expect(q.pending()).rejects.toThrow();
      });
    });

    describe('finish', () => {
      it('removes the event: not pending, not claimable, nothing dead-lettered', async () => {
        const q = await queue();
        const e = await q.enqueue(event());
        expect(await q.finish(e)).toEqual({ dropped: 0 });
        expect(await q.pending()).toEqual([]);
        expect(await q.claim(e)).toBeUndefined();
        expect((await q.deadLetterCounts()).size).toBe(0);
      });

      it('queues a follow-up event in the same step, with its own payload', async () => {
        const q = await queue();
        const e = await q.enqueue(event('source'));
        const done = await q.finish(e, { followUp: { id: 'dest-1', functionName: 'dest', qualifier: 'prod', payload: Buffer.from('{"record":1}') } });
        expect(done.dropped).toBe(0);
        expect(done.followUp).toMatchObject({ id: 'dest-1', functionName: 'dest', qualifier: 'prod', attempts: 0 });
        expect(done.followUp!.seq).toBeGreaterThan(e.seq);
        expect((await q.pending()).map((p) => p.id)).toEqual(['dest-1']);
        expect((await q.claim(done.followUp!))?.toString()).toBe('{"record":1}');
      });

      it('keeps a dead letter with the event, its payload and the outcome', async () => {
        const q = await queue();
        const e = await q.enqueue({ id: 'dead-1', functionName: 'f', qualifier: '2', payload: Buffer.from([1, 2, 3]) });
        e.attempts = 3;
        const failedAt = Date.now();
        await q.finish(e, { deadLetter: { failedAt, attempts: 3, condition: 'RetriesExhausted', errorType: 'TypeError', errorMessage: 'x is not a function' } });
        expect(await q.pending()).toEqual([]);
        const { letters, next } = await q.deadLetters('f');
        expect(next).toBeUndefined();
        expect(letters).toHaveLength(1);
        expect(letters[0]).toMatchObject({
          id: 'dead-1', functionName: 'f', qualifier: '2', enqueuedAt: e.enqueuedAt, failedAt, attempts: 3,
          condition: 'RetriesExhausted', errorType: 'TypeError', errorMessage: 'x is not a function',
        });
        expect([...letters[0]!.payload]).toEqual([1, 2, 3]);
        expect(await q.deadLetterCounts()).toEqual(new Map([['f', 1]]));
      });

      it('leaves a letter\'s error fields out when there was no error', async () => {
        const q = await queue();
        await bury(q, event('f'), { failedAt: Date.now(), attempts: 0, condition: 'EventAgeExceeded' });
        const [letter] = (await q.deadLetters('f')).letters;
        expect(letter!.condition).toBe('EventAgeExceeded');
        expect('errorType' in letter!).toBe(false);
        expect('errorMessage' in letter!).toBe(false);
      });

      it('keeps dead letters across a reopen', async () => {
        const s = await store();
        let q = await openOn(s);
        await bury(q, event('f'));
        q = await reopen(s, q);
        expect((await q.deadLetters('f')).letters).toHaveLength(1);
        expect(await q.deadLetterCounts()).toEqual(new Map([['f', 1]]));
      });
    });

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

    describe('several queues on one store', () => {
      it(impl.shared ? 'an event claimed by one queue is not claimed by another until it is retried' : `(not shared: ${impl.name} is owned by one process)`, async () => {
        if (!impl.shared) return;
        const s = await store();
        const a = await openOn(s);
        const b = await openOn(s);
        const e = await a.enqueue(event());
        expect((await b.pending()).map((p) => p.seq)).toEqual([e.seq]);
        expect(await a.claim(e)).toBeDefined();
        expect(await b.claim(e)).toBeUndefined();
        e.attempts = 1;
        await a.retry(e);
        expect(await b.claim(e)).toBeDefined();
        await b.finish(e);
        expect(await a.claim(e)).toBeUndefined();
      });

      it(impl.shared ? 'a node that died keeps its claims from others until the lease ends, and takes them back when it restarts' : `(not shared: ${impl.name} is owned by one process)`, async () => {
        if (!impl.shared) return;
        const s = await store();
        // A long lease: the dead node restarting takes its own claims back at once.
        const dead = await s.openNode!('node-x', 60_000);
        const e = await dead.enqueue(event());
        expect(await dead.claim(e)).toBeDefined();
        // node-x "dies": never closed, never retried.
        const other = await openOn(s);
        expect(await other.pending()).toEqual([]);
        expect(await other.claim(e)).toBeUndefined();
        const restarted = await s.openNode!('node-x', 60_000);
        open.push(restarted, dead);
        expect((await restarted.pending()).map((p) => p.seq)).toEqual([e.seq]);
        expect(await restarted.claim(e)).toBeDefined();
        // A short lease: once it is over, another node takes the event.
        const brief = await s.openNode!('node-y', 200);
        open.push(brief);
        const f = await brief.enqueue(event());
        expect(await brief.claim(f)).toBeDefined();
        expect(await other.claim(f)).toBeUndefined();
        const taken = await waitFor('the lease to end', async () => (await other.claim(f)) !== undefined);
        expect(taken).toBe(true);
        expect((await other.pending()).map((p) => p.seq)).toEqual([f.seq]);
      });
    });
  });
}
