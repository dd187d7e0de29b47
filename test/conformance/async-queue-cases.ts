// The AsyncQueue conformance suite (src/scheduler/async-queue.ts): what every implementation must
// do, as the async invoker and lambkin's async routes rely on it, run by one short file per
// implementation (async-queue-sqlite.test.ts, async-queue-postgres.test.ts). Behaviour only, never
// SQL. A case an implementation cannot meet by design (two queues open on one store) is declared by
// its capabilities, never skipped silently. Part two: async-queue-dead-letter-cases.ts.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/functions.js';
import { deadLetterCases } from './async-queue-dead-letter-cases.js';
import { event, harness, type AsyncQueueUnderTest } from './async-queue-harness.js';

export type { AsyncQueueUnderTest, QueueStore } from './async-queue-harness.js';

export function asyncQueueConformance(impl: AsyncQueueUnderTest): void {
  describe(`AsyncQueue conformance: ${impl.name}`, () => {
    const h = harness(impl);
    const { store, openOn, reopen, queue, bury, track } = h;

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
        // A delivering queue hands an event to a node only once it is due: a nearer nextAt lets it.
        e.nextAt = Date.now() + (impl.delivers ? 1_500 : 120_000);
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

    deadLetterCases(h);

    describe('several queues on one store', () => {
      it(impl.shared && !impl.delivers ? 'an event claimed by one queue is not claimed by another until it is retried' : `(${impl.delivers ? 'delivering: the broker picks the node' : 'not shared'}: ${impl.name})`, async () => {
        if (!impl.shared || impl.delivers) return;
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

      it(impl.shared && !impl.delivers ? 'a node that died keeps its claims from others until the lease ends, and takes them back when it restarts' : `(${impl.delivers ? 'delivering: the broker picks the node' : 'not shared'}: ${impl.name})`, async () => {
        if (!impl.shared || impl.delivers) return;
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
        track(restarted, dead);
        expect((await restarted.pending()).map((p) => p.seq)).toEqual([e.seq]);
        expect(await restarted.claim(e)).toBeDefined();
        // A short lease: once it is over, another node takes the event.
        const brief = await s.openNode!('node-y', 200);
        track(brief);
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
