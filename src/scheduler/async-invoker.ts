// Event invocations (X-Amz-Invocation-Type: Event): accepted into the durable queue (async-queue.ts),
// then run by this worker like any invocation. A function error, timeout or crash is retried
// (MaximumRetryAttempts, default 2) after the configured delays (Lambda: 1 then 2 minutes); a
// throttled event waits and tries again without using up a retry; an event older than
// MaximumEventAgeInSeconds is given up. A finished event goes to its destination (destinations.ts);
// a failed one without an on-failure destination is kept in the function's dead-letter list.
import { newRequestId } from '../request-id.js';
import { functionArn } from '../registry/arn.js';
import type { Registry } from '../registry/registry.js';
import type { FunctionRecord } from '../registry/types.js';
import type { InvocationResult } from '../environment/invocation.js';
import { AsyncQueue, type DeadLetter, type NewEvent, type QueuedEvent } from './async-queue.js';
import { destinationRecord, parseDestination, type Condition, type EventInvokeConfig } from './destinations.js';
import { Scheduler, Throttled } from './scheduler.js';

export interface AsyncOptions {
  /** Delay before retry 1, 2, … (ms); the last repeats. Lambda: 60 s, 120 s. */
  readonly retryDelaysMs: readonly number[];
  /** Events of one function running at once (also bounded by its reserved concurrency). */
  readonly perFunction: number;
  /** How long one "second" of MaximumEventAgeInSeconds lasts; 1000 except in tests. */
  readonly secondMs: number;
}

export interface QueueDepth {
  readonly queued: number;
  readonly running: number;
  readonly functions: readonly { name: string; queued: number; running: number; deadLetters: number }[];
}

const DEFAULT_RETRIES = 2;
const DEFAULT_MAX_AGE_S = 21_600;
const MAX_THROTTLE_WAIT_MS = 30_000;
/** A function with events due but no capacity (e.g. reserved concurrency 0) is looked at this often. */
const BLOCKED_RECHECK_MS = 1_000;

export class AsyncInvoker {
  /** Events waiting, ordered by nextAt (then seq). */
  private readonly waiting: QueuedEvent[] = [];
  private readonly running = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly queue: AsyncQueue,
    private readonly scheduler: Scheduler,
    private readonly registry: Registry,
    private readonly opts: AsyncOptions,
    private readonly log: (line: string) => void,
  ) {
    // What a previous run left (queued, retrying, or running when it stopped) runs again.
    for (const event of queue.pending()) this.wait(event);
    setImmediate(() => this.pump());
  }

  /** Store an accepted event durably; resolves once it is (the caller then answers 202). */
  async enqueue(name: string, qualifier: string | undefined, payload: Buffer, requestId: string): Promise<void> {
    const event = await this.queue.add({ id: requestId, functionName: name, qualifier: qualifier ?? '', payload });
    this.wait(event);
    this.pump();
  }

  depth(): QueueDepth {
    const byName = new Map<string, { name: string; queued: number; running: number; deadLetters: number }>();
    const entry = (name: string) => {
      let e = byName.get(name);
      if (!e) byName.set(name, (e = { name, queued: 0, running: 0, deadLetters: 0 }));
      return e;
    };
    for (const e of this.waiting) entry(e.functionName).queued++;
    for (const [name, n] of this.running) if (n > 0) entry(name).running = n;
    for (const [name, n] of this.queue.deadLetterCounts()) entry(name).deadLetters = n;
    const functions = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    return { queued: this.waiting.length, running: functions.reduce((s, f) => s + f.running, 0), functions };
  }

  deadLetters(name: string): DeadLetter[] {
    return this.queue.deadLetters(name);
  }

  /** Put a function's dead letters back in the queue; resolves with how many. */
  async redrive(name: string): Promise<number> {
    const events = await this.queue.redrive(name);
    for (const e of events) this.wait(e);
    this.pump();
    return events.length;
  }

  /** Stop starting events. Running ones are abandoned: they stay queued and run again next start. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private wait(event: QueuedEvent): void {
    let lo = 0;
    let hi = this.waiting.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.waiting[mid]!;
      if (m.nextAt < event.nextAt || (m.nextAt === event.nextAt && m.seq < event.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.waiting.splice(lo, 0, event);
  }

  private pump(): void {
    if (this.closed) return;
    const now = Date.now();
    let blocked = false;
    let i = 0;
    while (i < this.waiting.length && this.waiting[i]!.nextAt <= now) {
      const event = this.waiting[i]!;
      const config = this.config(event);
      const maxAgeMs = (config?.maximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_S) * this.opts.secondMs;
      if (now - event.enqueuedAt > maxAgeMs) {
        this.waiting.splice(i, 1);
        void this.done(event, 'EventAgeExceeded', undefined, undefined);
        continue;
      }
      if ((this.running.get(event.functionName) ?? 0) >= this.capacity(event.functionName)) {
        blocked = true;
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      void this.run(event);
    }
    clearTimeout(this.timer);
    const next = this.waiting[i]?.nextAt;
    const delay = Math.min(next === undefined ? Infinity : next - now, blocked ? BLOCKED_RECHECK_MS : Infinity);
    if (delay !== Infinity) this.timer = setTimeout(() => this.pump(), Math.max(1, delay));
  }

  private capacity(name: string): number {
    const reserved = this.registry.get(name)?.reservedConcurrency;
    return Math.min(this.opts.perFunction, reserved ?? Infinity);
  }

  private config(event: QueuedEvent): EventInvokeConfig | undefined {
    return this.registry.lifecycle.setting<EventInvokeConfig>(event.functionName, event.qualifier || '$LATEST', 'event-invoke');
  }

  private async run(event: QueuedEvent): Promise<void> {
    const name = event.functionName;
    this.running.set(name, (this.running.get(name) ?? 0) + 1);
    try {
      await this.attempt(event);
    } catch (err) {
      this.log(`lambkin: async event ${event.id} of ${name}: ${(err as Error)?.stack ?? String(err)}`);
      if (!this.closed) {
        event.nextAt = Date.now() + MAX_THROTTLE_WAIT_MS;
        this.wait(event);
      }
    } finally {
      this.running.set(name, this.running.get(name)! - 1);
      this.pump();
    }
  }

  private async attempt(event: QueuedEvent): Promise<void> {
    const fn = this.registry.pick(event.functionName, event.qualifier || undefined);
    const payload = this.queue.payload(event.seq);
    if (!fn || !payload) {
      this.log(`lambkin: async event ${event.id} dropped: ${functionArn(event.functionName, event.qualifier || undefined)} no longer exists`);
      await this.queue.finish(event);
      return;
    }
    let result: InvocationResult;
    try {
      result = await this.scheduler.invoke(fn, {
        requestId: event.id, payload, invokedArn: functionArn(event.functionName, event.qualifier || undefined), tail: false,
      }, this.registry.get(event.functionName)?.reservedConcurrency);
    } catch (err) {
      if (!(err instanceof Throttled)) throw err;
      if (this.closed) return;
      // Throttled: not an attempt. Back off (doubling) and try again; only the event's age ends it.
      const base = Math.min(1_000, this.opts.retryDelaysMs[0] ?? 1_000);
      event.nextAt = Date.now() + Math.min(base * 2 ** event.throttles++, MAX_THROTTLE_WAIT_MS);
      this.wait(event);
      return;
    }
    // Shutting down: the environment may have been stopped under it. The event stays queued.
    if (this.closed) return;
    event.attempts++;
    const retries = this.config(event)?.maximumRetryAttempts ?? DEFAULT_RETRIES;
    if (result.ok) return this.done(event, 'Success', result, fn, payload);
    if (event.attempts > retries) return this.done(event, 'RetriesExhausted', result, fn, payload);
    const delays = this.opts.retryDelaysMs;
    event.nextAt = Date.now() + (delays[Math.min(event.attempts - 1, delays.length - 1)] ?? 0);
    event.throttles = 0;
    await this.queue.retry(event);
    this.wait(event);
  }

  /** The event is finished: deliver it to its destination (or dead-letter list) and forget it. */
  private async done(event: QueuedEvent, condition: Condition, result: InvocationResult | undefined, fn: FunctionRecord | undefined, payload?: Buffer): Promise<void> {
    const config = this.config(event);
    const target = condition === 'Success' ? config?.onSuccess : config?.onFailure;
    const destination = target === undefined ? undefined : parseDestination(target);
    const body = payload ?? this.queue.payload(event.seq) ?? Buffer.from('null');
    let followUp: NewEvent | undefined;
    if (destination?.kind === 'function') {
      followUp = {
        id: newRequestId(), functionName: destination.name, qualifier: destination.qualifier,
        payload: destinationRecord({
          requestId: event.id, functionName: event.functionName, qualifier: event.qualifier, condition,
          attempts: event.attempts, payload: body, result, executedVersion: fn?.version,
        }),
      };
    }
    // Failures with nowhere else to go are kept: nothing accepted is lost without a trace.
    const bury = condition !== 'Success' && destination?.kind !== 'function';
    if (condition !== 'Success') {
      this.log(`lambkin: async event ${event.id} of ${event.functionName} failed (${condition}) after ${event.attempts} attempt(s)`);
    }
    const next = await this.queue.finish(event, {
      followUp,
      deadLetter: bury ? {
        failedAt: Date.now(), attempts: event.attempts, condition, errorType: result?.errorType, errorMessage: result?.errorMessage,
      } : undefined,
    });
    if (next && !this.closed) {
      this.wait(next);
      this.pump();
    }
  }
}
