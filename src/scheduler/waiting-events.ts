// The Event invocations waiting to run, in memory (async.db holds them durably). Per function, a
// heap ordered by (nextAt, seq); over them, a heap of the functions by their first event. Adding an
// event and taking the next due one cost O(log n). A function that cannot run more events now
// (every slot of its concurrency busy) is *blocked*: taken out of the functions' heap, so that
// thousands of its events cost nothing while others' run, until it is unblocked.
import { Heap } from './heap.js';
import type { QueuedEvent } from './async-queue.js';

interface FunctionQueue {
  readonly name: string;
  readonly events: Heap<QueuedEvent>;
  /** Where it sits in the heap of ready functions; -1 when not there (blocked, or no events). */
  index: number;
  blocked: boolean;
}

function before(a: QueuedEvent, b: QueuedEvent): boolean {
  return a.nextAt < b.nextAt || (a.nextAt === b.nextAt && a.seq < b.seq);
}

export class WaitingEvents {
  private readonly byName = new Map<string, FunctionQueue>();
  private readonly ready = new Heap<FunctionQueue>((a, b) => before(a.events.peek()!, b.events.peek()!), (f, i) => (f.index = i));
  private count = 0;
  private blockedCount = 0;
  /** Comparisons made by heaps of functions no longer waiting (see comparisons). */
  private pastComparisons = 0;

  /** Events waiting, all functions together. */
  get size(): number {
    return this.count;
  }

  /** Comparisons of events made so far: what adding and taking cost (tests check it). */
  get comparisons(): number {
    let n = this.pastComparisons + this.ready.comparisons;
    for (const f of this.byName.values()) n += f.events.comparisons;
    return n;
  }

  /** How many events wait, per function. */
  *counts(): IterableIterator<[string, number]> {
    for (const f of this.byName.values()) if (f.events.size > 0) yield [f.name, f.events.size];
  }

  add(event: QueuedEvent): void {
    let f = this.byName.get(event.functionName);
    if (!f) {
      f = { name: event.functionName, events: new Heap<QueuedEvent>(before), index: -1, blocked: false };
      this.byName.set(f.name, f);
    }
    f.events.push(event);
    this.count++;
    if (f.blocked) return;
    if (f.index < 0) this.ready.push(f);
    else if (f.events.peek() === event) this.ready.update(f.index); // it is the function's new first
  }

  /** The first event due by `now` of a function that is not blocked, left in place (take() takes it). */
  due(now: number): QueuedEvent | undefined {
    const first = this.ready.peek()?.events.peek();
    return first && first.nextAt <= now ? first : undefined;
  }

  /** Take out the first event of `name` (the one due() answered). */
  take(name: string): QueuedEvent | undefined {
    const f = this.byName.get(name);
    const event = f?.events.pop();
    if (!f || !event) return undefined;
    this.count--;
    if (f.index >= 0) {
      if (f.events.size === 0) this.ready.removeAt(f.index);
      else this.ready.update(f.index);
    }
    this.forgetIfEmpty(f);
    return event;
  }

  /** `name` cannot run more events now: none of its events is looked at until unblock(name). */
  block(name: string): void {
    const f = this.byName.get(name);
    if (!f || f.blocked) return;
    f.blocked = true;
    this.blockedCount++;
    if (f.index >= 0) this.ready.removeAt(f.index);
  }

  unblock(name: string): void {
    const f = this.byName.get(name);
    if (!f?.blocked) return;
    f.blocked = false;
    this.blockedCount--;
    if (f.events.size > 0) this.ready.push(f);
    this.forgetIfEmpty(f);
  }

  /** Functions blocked now (one entry per function, not per event). */
  blocked(): string[] {
    return this.blockedCount === 0 ? [] : [...this.byName.values()].filter((f) => f.blocked).map((f) => f.name);
  }

  get anyBlocked(): boolean {
    return this.blockedCount > 0;
  }

  /** When the first event of a function not blocked is due; undefined when there is none. */
  nextAt(): number | undefined {
    return this.ready.peek()?.events.peek()?.nextAt;
  }

  private forgetIfEmpty(f: FunctionQueue): void {
    if (f.events.size > 0 || f.blocked) return;
    this.pastComparisons += f.events.comparisons;
    this.byName.delete(f.name);
  }
}
