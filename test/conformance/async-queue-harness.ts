// The fixtures of the AsyncQueue conformance suite (async-queue-cases.ts): stores made fresh per
// case and removed after it, queues opened on them and closed after it, events and dead letters.
import { afterEach, expect } from 'vitest';
import type { AsyncQueue, AsyncQueueOptions, DeadLetterOutcome, NewEvent } from '../../src/scheduler/async-queue.js';

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
  /**
   * The queue hands events to nodes itself (deliver(): JetStream): which of two open queues gets an
   * event is the broker's choice, so the claim-by-lease cases do not apply; its own file tests how
   * events move between nodes. Its runner makes claim wait for the event's delivery.
   */
  readonly delivers?: boolean;
}

let n = 0;
export function event(functionName = 'fn', payload: Buffer = Buffer.from(`{"n":${++n}}`), qualifier = ''): NewEvent {
  return { id: `req-${++n}`, functionName, qualifier, payload };
}

export const failed = (condition = 'RetriesExhausted', more: Partial<DeadLetterOutcome> = {}): DeadLetterOutcome =>
  ({ failedAt: Date.now(), attempts: 3, condition, errorType: 'Error', errorMessage: 'boom', ...more });

export interface Harness {
  readonly impl: AsyncQueueUnderTest;
  /** A fresh store, removed after the case. */
  store(): Promise<QueueStore>;
  /** Open a queue on `s`, closed after the case. */
  openOn(s: QueueStore, options?: AsyncQueueOptions): Promise<AsyncQueue>;
  /** Close `q` and open `s` again. */
  reopen(s: QueueStore, q: AsyncQueue, options?: AsyncQueueOptions): Promise<AsyncQueue>;
  /** A queue on a fresh store. */
  queue(options?: AsyncQueueOptions): Promise<AsyncQueue>;
  /** Enqueue, then finish into the dead-letter list; answers what finish said was dropped. */
  bury(q: AsyncQueue, e: NewEvent, outcome?: DeadLetterOutcome): Promise<number>;
  /** Close `q` after the case. */
  track(...queues: AsyncQueue[]): void;
}

/** Call inside the suite's describe: registers the afterEach that cleans up. */
export function harness(impl: AsyncQueueUnderTest): Harness {
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


  return { impl, store, openOn, reopen, queue, bury, track: (...queues) => void open.push(...queues) };
}
