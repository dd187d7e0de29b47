// Event invocations (X-Amz-Invocation-Type: Event): accepted into the durable queue (async-queue.ts),
// then run by this worker like any invocation. A function error, timeout or crash is retried
// (MaximumRetryAttempts, default 2) after the configured delays (Lambda: 1 then 2 minutes); a
// throttled event waits and tries again without using up a retry; an event older than
// MaximumEventAgeInSeconds is given up. A finished event goes to its destination (destinations.ts);
// a failed one without an on-failure destination is kept in the function's dead-letter list.
// No promise is left floating: every path ends in a catch that logs. An event whose destination
// record cannot be built is kept as a dead letter saying why, never run again for it; one whose
// outcome the store cannot take (its database away) is finished again later, not run again.
import { newRequestId } from '../request-id.js';
import type { Registry } from '../registry/registry.js';
import type { FunctionRecord } from '../registry/types.js';
import type { InvocationResult } from '../environment/invocation.js';
import { MAX_MESSAGE_CHARS } from '../logs/index.js';
import type { AsyncQueue, DeadLetterOutcome, DeadLetterPage, DeadLetterPageRequest, FinishOutcome, Finished, NewEvent, QueuedEvent } from './async-queue.js';
import { destinationRecord, parseDestination, type Condition, type EventInvokeConfig } from './destinations.js';
import { type Scheduler, Throttled } from './scheduler.js';
import { WaitingEvents } from './waiting-events.js';
import type { Dispatcher } from './dispatcher.js';

export interface AsyncOptions {
  /** Delay before retry 1, 2, … (ms); the last repeats. Lambda: 60 s, 120 s. */
  readonly retryDelaysMs: readonly number[];
  /** Events of one function running at once (also bounded by its reserved concurrency). */
  readonly perFunction: number;
  /** How long one "second" of MaximumEventAgeInSeconds lasts; 1000 except in tests. */
  readonly secondMs: number;
  /** Where invocations run (a cluster's dispatcher: reserved concurrency is a cluster-wide ceiling); the scheduler by default. */
  readonly dispatcher?: Dispatcher;
  /** A cluster: per function, the events the other nodes run now (for depth()). */
  readonly othersRunning?: () => Promise<ReadonlyMap<string, number>>;
}

export interface QueueDepth {
  readonly queued: number;
  readonly running: number;
  readonly functions: readonly FunctionDepth[];
}

export interface FunctionDepth {
  readonly name: string;
  queued: number;
  running: number;
  deadLetters: number;
  /** Dead letters removed (oldest first) to keep the list within its cap, since the list began. */
  deadLettersDropped: number;
}

const DEFAULT_RETRIES = 2;
const DEFAULT_MAX_AGE_S = 21_600;
const MAX_THROTTLE_WAIT_MS = 30_000;
/** A function with events due but no capacity (e.g. reserved concurrency 0) is looked at this often. */
const BLOCKED_RECHECK_MS = 1_000;

export class AsyncInvoker {
  private readonly waiting = new WaitingEvents();
  private readonly running = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private recheck: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly droppedLoggedAt = new Map<string, number>();
  /** Retries of finishing events that the store could not take (finishing()). */
  private readonly unfinished = new Set<NodeJS.Timeout>();

  /** Start with what a previous run left (queued, retrying, or running when it stopped): it runs again. */
  static async start(queue: AsyncQueue, scheduler: Scheduler, registry: Registry, opts: AsyncOptions, log: (line: string) => void): Promise<AsyncInvoker> {
    const invoker = new AsyncInvoker(queue, scheduler, registry, opts, log);
    if (queue.deliver) {
      queue.deliver((event) => {
        invoker.wait(event);
        invoker.pump();
      });
      return invoker;
    }
    for (const event of await queue.pending()) invoker.wait(event);
    setImmediate(() => invoker.pump());
    return invoker;
  }

  private constructor(
    private readonly queue: AsyncQueue,
    private readonly scheduler: Scheduler,
    private readonly registry: Registry,
    private readonly opts: AsyncOptions,
    private readonly log: (line: string) => void,
  ) {}

  /** Store an accepted event durably; resolves once it is (the caller then answers 202). */
  async enqueue(name: string, qualifier: string | undefined, payload: Buffer, requestId: string): Promise<void> {
    const event = await this.queue.enqueue({ id: requestId, functionName: name, qualifier: qualifier ?? '', payload });
    this.keep(event);
  }

  async depth(): Promise<QueueDepth> {
    const [deadCounts, drops] = await Promise.all([this.queue.deadLetterCounts(), this.queue.deadLetterDrops()]);
    const byName = new Map<string, FunctionDepth>();
    const entry = (name: string) => {
      let e = byName.get(name);
      if (!e) byName.set(name, (e = { name, queued: 0, running: 0, deadLetters: 0, deadLettersDropped: 0 }));
      return e;
    };
    if (this.queue.counts) {
      // A cluster: the stream counts every unfinished event wherever it is; running ones are asked of every node.
      const [inQueue, others] = await Promise.all([this.queue.counts(), this.opts.othersRunning?.() ?? new Map<string, number>()]);
      for (const [name, n] of [...this.running, ...others]) if (n > 0) entry(name).running += n;
      for (const [name, n] of inQueue) entry(name).queued = Math.max(0, n - entry(name).running);
    } else {
      for (const [name, n] of this.waiting.counts()) entry(name).queued = n;
      for (const [name, n] of this.running) if (n > 0) entry(name).running = n;
    }
    for (const [name, n] of deadCounts) entry(name).deadLetters = n;
    for (const [name, n] of drops) entry(name).deadLettersDropped = n;
    const functions = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    const queued = this.queue.counts ? functions.reduce((s, f) => s + f.queued, 0) : this.waiting.size;
    return { queued, running: functions.reduce((s, f) => s + f.running, 0), functions };
  }

  /** A page of a function's dead letters, oldest first; `after` is a previous page's `next`. */
  deadLetters(name: string, page: DeadLetterPageRequest = {}): Promise<DeadLetterPage> {
    return this.queue.deadLetters(name, page);
  }

  /** Put a function's dead letters back in the queue; resolves with how many. */
  async redrive(name: string): Promise<number> {
    const events = await this.queue.redrive(name);
    for (const e of events) this.keep(e);
    return events.length;
  }

  /** Per function, the events running on this node now. */
  runningHere(): Map<string, number> {
    return new Map([...this.running].filter(([, n]) => n > 0));
  }

  /** Stop starting events. Running ones are abandoned: they stay queued and run again next start. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.recheck);
    // Events whose finishing waits for the store stay stored: they run again at the next start.
    for (const timer of this.unfinished) clearTimeout(timer);
    this.unfinished.clear();
  }

  private wait(event: QueuedEvent): void {
    this.waiting.add(event);
  }

  /** An event this node stored: it waits here, unless the queue hands events out itself (deliver). */
  private keep(event: QueuedEvent): void {
    if (this.queue.deliver || this.closed) return;
    this.wait(event);
    this.pump();
  }

  /** Start every event that is due and whose function has a free slot. */
  private pump(): void {
    if (this.closed) return;
    try {
      this.startDue();
    } catch (err) {
      // Only a bug gets here (the registry is in memory): say so, and look again soon.
      this.log(`lambkin: async queue: ${(err as Error)?.stack ?? String(err)}`);
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.pump(), BLOCKED_RECHECK_MS);
    }
  }

  private startDue(): void {
    const now = Date.now();
    for (let event = this.waiting.due(now); event; event = this.waiting.due(now)) {
      const name = event.functionName;
      const maxAgeMs = (this.config(event)?.maximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_S) * this.opts.secondMs;
      if (now - event.enqueuedAt > maxAgeMs) {
        this.waiting.take(name);
        this.settle(this.expire(event), event);
        continue;
      }
      if ((this.running.get(name) ?? 0) >= this.capacity(name)) {
        // Its events are not looked at again until one of its runs ends (or the recheck below).
        this.waiting.block(name);
        continue;
      }
      this.waiting.take(name);
      this.settle(this.run(event), event);
    }
    clearTimeout(this.timer);
    const next = this.waiting.nextAt();
    if (next !== undefined) this.timer = setTimeout(() => this.pump(), Math.max(1, next - now));
    // A function blocked with no run of its own under way (e.g. reserved concurrency 0) is
    // unblocked by nothing else: look at blocked ones again now and then, in case its limit rose.
    if (this.recheck === undefined && this.waiting.anyBlocked) {
      this.recheck = setTimeout(() => {
        this.recheck = undefined;
        for (const name of this.waiting.blocked()) this.waiting.unblock(name);
        this.pump();
      }, BLOCKED_RECHECK_MS);
    }
  }

  /** The last resort of every async path: an error nobody else caught is logged, never floated. */
  private settle(work: Promise<void>, event: QueuedEvent): void {
    work.catch((err: unknown) => {
      this.log(`lambkin: async event ${event.id} of ${event.functionName}: ${(err as Error)?.stack ?? String(err)}`);
    });
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
      // The scheduler failed (not the function: its failures are results). Try again later.
      this.log(`lambkin: async event ${event.id} of ${name}: ${(err as Error)?.stack ?? String(err)}`);
      if (!this.closed) {
        event.nextAt = Date.now() + MAX_THROTTLE_WAIT_MS;
        this.wait(event);
      }
    } finally {
      this.running.set(name, this.running.get(name)! - 1);
      this.waiting.unblock(name);
      this.pump();
    }
  }

  /** Too old to run: give it up (when it is still there to take). */
  private async expire(event: QueuedEvent): Promise<void> {
    let payload: Buffer | undefined;
    try {
      payload = await this.queue.claim(event);
    } catch (err) {
      // The store is away: look at the event again later (as run() does), rather than forget it.
      this.log(`lambkin: async event ${event.id} of ${event.functionName}: ${(err as Error)?.message ?? String(err)}`);
      if (!this.closed) {
        event.nextAt = Date.now() + MAX_THROTTLE_WAIT_MS;
        this.wait(event);
        this.pump();
      }
      return;
    }
    if (payload) await this.done(event, 'EventAgeExceeded', undefined, undefined, payload);
  }

  private async attempt(event: QueuedEvent): Promise<void> {
    // Gone (finished, or taken by another node sharing the store): nothing to run.
    const payload = await this.queue.claim(event);
    if (!payload) return;
    const fn = this.registry.pick(event.functionName, event.qualifier || undefined);
    if (!fn) {
      this.log(`lambkin: async event ${event.id} dropped: ${this.registry.arns.functionArn(event.functionName, event.qualifier || undefined)} no longer exists`);
      await this.queue.finish(event);
      return;
    }
    let result: InvocationResult;
    try {
      result = await (this.opts.dispatcher ?? this.scheduler).invoke(fn, {
        requestId: event.id, payload, invokedArn: this.registry.arns.functionArn(event.functionName, event.qualifier || undefined), tail: false,
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
    if (!this.queue.deliver) this.wait(event);
  }

  /**
   * The event is finished: deliver it to its destination (or dead-letter list) and forget it. Never
   * rejects. When its outcome cannot be built (a destination record that cannot be made), the
   * event is kept as a dead letter saying why. When the store cannot take the outcome (a database
   * away), finishing is tried again later: the event is not run again for it, and the outcome is
   * neither lost nor turned into a dead letter.
   */
  private async done(event: QueuedEvent, condition: Condition, result: InvocationResult | undefined, fn: FunctionRecord | undefined, payload: Buffer): Promise<void> {
    let outcome: FinishOutcome;
    try {
      outcome = this.outcome(event, condition, result, fn, payload);
    } catch (err) {
      const reason = (err as Error)?.message ?? String(err);
      this.log(`lambkin: async event ${event.id} of ${event.functionName}: its outcome (${condition}) could not be delivered, ` +
        `so it is kept as a dead letter: ${(err as Error)?.stack ?? reason}`);
      const failed = result && !result.ok ? `; the function's error was ${result.errorType ?? 'Error'}: ${result.errorMessage ?? ''}` : '';
      outcome = this.letter({
        failedAt: Date.now(), attempts: event.attempts, condition, errorType: 'Lambkin.DeliveryFailed',
        errorMessage: `The ${condition} outcome could not be delivered to its destination: ${reason}${failed}`,
      });
    }
    await this.finishing(event, outcome, 0);
  }

  /** What finishing the event leaves: a destination function's event, a dead letter, or nothing. */
  private outcome(event: QueuedEvent, condition: Condition, result: InvocationResult | undefined, fn: FunctionRecord | undefined, body: Buffer): FinishOutcome {
    const config = this.config(event);
    const target = condition === 'Success' ? config?.onSuccess : config?.onFailure;
    const destination = target === undefined ? undefined : parseDestination(target);
    if (condition !== 'Success') {
      this.log(`lambkin: async event ${event.id} of ${event.functionName} failed (${condition}) after ${event.attempts} attempt(s)`);
    }
    if (destination?.kind === 'function') {
      const followUp: NewEvent = {
        id: newRequestId(), functionName: destination.name, qualifier: destination.qualifier,
        payload: destinationRecord(this.registry.arns, {
          requestId: event.id, functionName: event.functionName, qualifier: event.qualifier, condition,
          attempts: event.attempts, payload: body, result, executedVersion: fn?.version,
        }),
      };
      return { followUp };
    }
    // Failures with nowhere else to go are kept: nothing accepted is lost without a trace.
    if (condition !== 'Success') {
      return this.letter({ failedAt: Date.now(), attempts: event.attempts, condition, errorType: result?.errorType, errorMessage: result?.errorMessage });
    }
    return {};
  }

  /** A dead letter of the event, its error cut as log lines are. */
  private letter(letter: DeadLetterOutcome): FinishOutcome {
    return { deadLetter: { ...letter, errorType: cut(letter.errorType), errorMessage: cut(letter.errorMessage) } };
  }

  /**
   * Finish the event in one transaction of the store. If the store fails, try again after a
   * back-off (1 s doubling to 30 s) until it takes it or the server stops (then the event is
   * still stored and runs again at the next start: at least once).
   */
  private async finishing(event: QueuedEvent, outcome: FinishOutcome, tries: number): Promise<void> {
    let finished: Finished;
    try {
      finished = await this.queue.finish(event, outcome);
    } catch (err) {
      const reason = (err as Error)?.message ?? String(err);
      if (this.closed) {
        this.log(`lambkin: async event ${event.id} of ${event.functionName}: could not be finished (${reason}); it stays queued and runs again at the next start`);
        return;
      }
      const delay = Math.min(1_000 * 2 ** tries, MAX_THROTTLE_WAIT_MS);
      this.log(`lambkin: async event ${event.id} of ${event.functionName}: could not be finished (${reason}); ` +
        `trying again in ${Math.round(delay / 1000)} s (the function does not run again for it)`);
      const timer = setTimeout(() => {
        this.unfinished.delete(timer);
        this.settle(this.finishing(event, outcome, tries + 1), event);
      }, delay);
      this.unfinished.add(timer);
      return;
    }
    if (finished.dropped > 0) this.noteDropped(event.functionName);
    if (finished.followUp) this.keep(finished.followUp);
  }

  /** Log (at most once a minute per function) that a full dead-letter list lost its oldest. */
  private noteDropped(name: string): void {
    const now = Date.now();
    if ((this.droppedLoggedAt.get(name) ?? -Infinity) > now - 60_000) return;
    this.droppedLoggedAt.set(name, now);
    const full = `lambkin: the dead-letter list of ${name} is full (${this.queue.deadLetterLimit} letters, --dead-letter-limit): ` +
      'its oldest letters are dropped to keep new ones';
    // The letter is already kept: a failure to count is only said, never taken for a failed delivery.
    this.queue.deadLetterDrops().then(
      (drops) => this.log(`${full}; ${drops.get(name) ?? 0} dropped so far`),
      (err: unknown) => this.log(`${full} (${(err as Error)?.message ?? String(err)})`));
  }
}

function cut(text: string | undefined): string | undefined {
  return text !== undefined && text.length > MAX_MESSAGE_CHARS ? text.slice(0, MAX_MESSAGE_CHARS) : text;
}
