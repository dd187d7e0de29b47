// The async queue's waiting events (issue 14, item 12): taken in (nextAt, seq) order across
// functions; adding and taking cost O(log n) comparisons; a blocked function's events are never
// looked at, however many there are, until it is unblocked.
import { describe, expect, it } from 'vitest';
import type { QueuedEvent } from '../../src/scheduler/async-queue.js';
import { Heap } from '../../src/scheduler/heap.js';
import { WaitingEvents } from '../../src/scheduler/waiting-events.js';

let seq = 0;
function event(functionName: string, nextAt: number): QueuedEvent {
  seq++;
  return { seq, id: `e${seq}`, functionName, qualifier: '', enqueuedAt: 0, attempts: 0, nextAt, throttles: 0 };
}

/** Take every event due by `now`, in order. */
function drain(w: WaitingEvents, now = Infinity): QueuedEvent[] {
  const taken: QueuedEvent[] = [];
  for (let e = w.due(now); e; e = w.due(now)) taken.push(w.take(e.functionName)!);
  return taken;
}

// A small deterministic generator: the same "random" order on every run.
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

describe('Heap', () => {
  it('pops in order, and removes and re-sorts items in place', () => {
    const where = new Map<{ k: number }, number>();
    const h = new Heap<{ k: number }>((a, b) => a.k < b.k, (item, i) => where.set(item, i));
    const rnd = lcg(1);
    const items = Array.from({ length: 500 }, () => ({ k: Math.floor(rnd() * 1000) }));
    for (const it of items) h.push(it);
    h.removeAt(where.get(items[7]!)!);
    items[9]!.k = -1;
    h.update(where.get(items[9]!)!);
    const popped: number[] = [];
    for (let x = h.pop(); x; x = h.pop()) popped.push(x.k);
    expect(popped).toHaveLength(499);
    expect(popped[0]).toBe(-1);
    expect(popped).toEqual([...popped].sort((a, b) => a - b));
  });
});

describe('WaitingEvents', () => {
  it('gives events of every function in (nextAt, seq) order, only once due', () => {
    const w = new WaitingEvents();
    const rnd = lcg(2);
    const all = Array.from({ length: 2_000 }, (_, i) => event(`f${i % 7}`, Math.floor(rnd() * 100)));
    for (const e of all) w.add(e);
    expect(w.size).toBe(2_000);
    const early = drain(w, 49);
    expect(early.every((e) => e.nextAt <= 49)).toBe(true);
    const rest = drain(w);
    const expected = [...all].sort((a, b) => a.nextAt - b.nextAt || a.seq - b.seq);
    expect([...early, ...rest].map((e) => e.seq)).toEqual(expected.map((e) => e.seq));
    expect(w.size).toBe(0);
    expect([...w.counts()]).toEqual([]);
  });

  it('costs O(log n) comparisons per event added and taken', () => {
    for (const n of [1_024, 65_536]) {
      const w = new WaitingEvents();
      const rnd = lcg(n);
      for (let i = 0; i < n; i++) w.add(event(`f${i % 4}`, Math.floor(rnd() * 1e6)));
      expect(drain(w)).toHaveLength(n);
      // A binary heap: about 2·log2(n) comparisons per pop, fewer per push.
      expect(w.comparisons / n).toBeLessThan(3 * Math.log2(n));
    }
  });

  it('never looks at a blocked function\'s events, however many, until it is unblocked', () => {
    const cost = (blockedEvents: number) => {
      const w = new WaitingEvents();
      for (let i = 0; i < blockedEvents; i++) w.add(event('throttled', i));
      expect(w.due(0)?.functionName).toBe('throttled');
      w.block('throttled');
      const before = w.comparisons;
      for (let i = 0; i < 100; i++) w.add(event('other', blockedEvents + i));
      for (let i = 0; i < 100; i++) w.add(event('throttled', i)); // arriving while blocked
      const taken = drain(w);
      expect(taken.map((e) => e.functionName)).toEqual(Array(100).fill('other'));
      const spent = w.comparisons - before;
      expect(w.blocked()).toEqual(['throttled']);
      expect(Object.fromEntries(w.counts())).toEqual({ throttled: blockedEvents + 100 });
      w.unblock('throttled');
      const back = drain(w);
      expect(back).toHaveLength(blockedEvents + 100);
      expect(back.map((e) => e.nextAt)).toEqual([...back.map((e) => e.nextAt)].sort((a, b) => a - b));
      return spent;
    };
    const small = cost(10);
    const large = cost(100_000);
    // The other function's 100 events cost the same beside 10 or 100,000 blocked ones, apart from
    // the log2(n) of adding the blocked function's own 100 arrivals.
    expect(large - small).toBeLessThan(100 * 2 * Math.log2(100_000));
    expect(small).toBeLessThan(100 * 2 * Math.log2(200) + 100 * Math.log2(110));
  });

  it('an event added ahead of a function\'s first moves that function ahead of the others', () => {
    const w = new WaitingEvents();
    w.add(event('a', 10));
    w.add(event('b', 5));
    w.add(event('a', 1));
    expect(drain(w).map((e) => `${e.functionName}${e.nextAt}`)).toEqual(['a1', 'b5', 'a10']);
  });
});
