// The AsyncQueue (scheduler/async-queue.ts) of a cluster: pending events in a JetStream stream
// (async-stream-wire.ts), dead letters in PostgreSQL (the PostgresAsyncQueue's tables, shared by
// every node). enqueue resolves once JetStream has stored the event (its PubAck): then the 202.
//
// Events reach a node through deliver(): every node pulls from each function's durable consumer
// (async-stream-pull.ts), so each message goes to one node at a time, and one function's backlog
// does not stand in front of another's. The node holds what it pulled (at most maxPerFunction of a
// function, so that a node busy with one function does not sit on events another node could run,
// and about maxHeld in all) and tells JetStream
// it is still working on them every ackWait/3; a node that dies stops doing so and its events go to
// another node once ackWait has passed. An event is acked only when it is finished — after its
// dead letter is committed or its destination's event is stored — so a crash at any moment leaves
// it to run again: at least once. A retry republishes the event (attempts and not-before in its
// header) and acks the old message; a message not yet due is given back with a delay (nak) rather
// than held. close() gives back every held message at once. A message handed out more than
// maxDeliveries times (each node that took it died or stopped before finishing it: its payload may
// be what kills them) is not run again: it is kept as a dead letter saying so.
import type { NatsConnection, JetStreamClient, JetStreamManager, JsMsg, MsgRequest } from 'nats';
import type {
  AsyncQueue, DeadLetterPage, DeadLetterPageRequest, FinishOutcome, Finished, NewEvent, QueuedEvent,
} from '../scheduler/async-queue.js';
import type { PostgresAsyncQueue } from '../scheduler/async-queue-postgres.js';
import {
  DEFAULT_STREAM, consumerOf, ensureConsumer, ensureStream, eventHeaders, eventOf, functionOfConsumer, subjectOf, type StreamNames,
} from './async-stream-wire.js';
import { FunctionPulls } from './async-stream-pull.js';
import { forgetFunction } from './async-stream-forget.js';

export interface JetStreamQueueOptions {
  readonly names?: StreamNames;
  /** How long a node may go without a word about a held message before JetStream gives it to another (30 s). */
  readonly ackWaitMs?: number;
  /** Messages a node holds at most (waiting for a slot of their function, or running); a soft bound across functions. */
  readonly maxHeld?: number;
  /** Messages of one function a node holds at most. */
  readonly maxPerFunction?: number;
  /** Times a message may be handed out; past it, it is kept as a dead letter instead of run (5). */
  readonly maxDeliveries?: number;
  readonly log?: (line: string) => void;
}

interface Held {
  msg: JsMsg;
  readonly event: QueuedEvent;
  /** The event object that claimed it (the invoker's), so a stale copy elsewhere cannot claim it too. */
  claimer?: QueuedEvent;
}

/** A message not due within this is given back with a delay instead of held. */
const HOLD_AHEAD_MS = 1_000;
export class JetStreamAsyncQueue implements AsyncQueue {
  private readonly held = new Map<string, Held>();
  private readonly heldOf = new Map<string, number>();
  private listener: ((event: QueuedEvent) => void) | undefined;
  private freedWaiters: (() => void)[] = [];
  private working: NodeJS.Timeout | undefined;
  private closed = false;
  /** Functions whose consumer this node has made or found (once per function and run). */
  private readonly ensured = new Set<string>();
  /** Resolves at close (a deleted function's clean-up waiting for its second pass does not hold the shutdown). */
  private readonly closing: Promise<void>;
  private endClosing!: () => void;
  private readonly pulls: FunctionPulls;
  private readonly maxHeld: number;
  private readonly maxPerFunction: number;
  private readonly maxDeliveries: number;
  private readonly log: (line: string) => void;

  private constructor(
    nc: NatsConnection, private readonly js: JetStreamClient, private readonly jsm: JetStreamManager, private readonly letters: PostgresAsyncQueue,
    private readonly names: StreamNames, private readonly ackWaitMs: number, options: JetStreamQueueOptions,
  ) {
    this.closing = new Promise<void>((resolve) => (this.endClosing = resolve));
    this.maxHeld = options.maxHeld ?? 128;
    this.maxPerFunction = Math.min(this.maxHeld, options.maxPerFunction ?? 32);
    this.maxDeliveries = options.maxDeliveries ?? 5;
    this.log = options.log ?? (() => {});
    this.pulls = new FunctionPulls(nc, js, jsm, names, {
      room: (fn) => Math.min(this.maxPerFunction - (this.heldOf.get(fn) ?? 0), this.maxHeld - this.held.size),
      freed: () => new Promise<void>((resolve) => this.freedWaiters.push(resolve)),
      take: (msg) => this.take(msg),
      removed: (fn) => this.ensured.delete(fn),
      log: this.log,
    });
  }

  get deadLetterLimit(): number {
    return this.letters.deadLetterLimit;
  }

  /** Open on a connection; `letters` (the PostgreSQL queue) keeps dead letters and is closed with it. */
  static async open(nc: NatsConnection, letters: PostgresAsyncQueue, options: JetStreamQueueOptions = {}): Promise<JetStreamAsyncQueue> {
    const names = options.names ?? DEFAULT_STREAM;
    const ackWaitMs = options.ackWaitMs ?? 30_000;
    const jsm = await nc.jetstreamManager();
    await ensureStream(jsm, names);
    const q = new JetStreamAsyncQueue(nc, nc.jetstream(), jsm, letters, names, ackWaitMs, options);
    // Events a single-node run left in PostgreSQL move into the stream (each stored there before it goes).
    for (const e of await letters.pending()) {
      const payload = await letters.claim(e);
      if (payload === undefined) continue;
      await q.publish({ ...e, seq: undefined }, payload);
      await letters.finish(e);
    }
    return q;
  }

  deliver(listener: (event: QueuedEvent) => void): void {
    const started = this.listener !== undefined;
    this.listener = listener;
    if (started) return;
    this.pulls.start();
    this.working = setInterval(() => {
      for (const h of this.held.values()) {
        try {
          h.msg.working();
        } catch {
          // Disconnected: the word is missed; once back, the next one comes within ackWait/3.
        }
      }
    }, Math.max(100, Math.floor(this.ackWaitMs / 3)));
  }

  /** Whether this node holds the event now (handed to it by the stream, not yet finished or given back). */
  holds(id: string): boolean {
    return this.held.has(id);
  }

  /** Every event not yet finished (listed from the stream, whichever node holds it), by (nextAt, seq). */
  async pending(): Promise<QueuedEvent[]> {
    this.check();
    const latest = new Map<string, { streamSeq: number; event: QueuedEvent }>();
    let first: number;
    try {
      first = (await this.jsm.streams.info(this.names.stream)).state.first_seq;
    } catch (err) {
      throw new Error(`the async stream ${this.names.stream} cannot be read: ${(err as Error).message}`);
    }
    for (let seq = first; ;) {
      // STREAM.MSG.GET takes next_by_subj (nats-server ≥ 2.9) though the client's type leaves it out: skips deleted sequences.
      const next = { seq, next_by_subj: `${this.names.prefix}.>` } as unknown as MsgRequest;
      const m = await this.jsm.streams.getMessage(this.names.stream, next).catch(notFound);
      if (!m) break;
      const event = eventOf(m.header, m.seq);
      const known = event && latest.get(event.id);
      if (event && (!known || known.streamSeq < m.seq)) latest.set(event.id, { streamSeq: m.seq, event });
      seq = m.seq + 1;
    }
    return [...latest.values()].map((l) => l.event).sort((a, b) => a.nextAt - b.nextAt || a.seq - b.seq);
  }

  /**
   * Per function with events in the stream, how many (waiting, held by a node, or running: each
   * event once): its consumer's undelivered and unacknowledged counts, read in one listing of the
   * stream's consumers (one page per 256 functions), whatever the backlog.
   */
  async counts(): Promise<Map<string, number>> {
    this.check();
    const counts = new Map<string, number>();
    for await (const c of await this.jsm.consumers.list(this.names.stream)) {
      const fn = functionOfConsumer(this.names, c.name);
      const n = c.num_pending + c.num_ack_pending;
      if (fn !== undefined && n > 0) counts.set(fn, (counts.get(fn) ?? 0) + n);
    }
    return counts;
  }

  async enqueue(event: NewEvent): Promise<QueuedEvent> {
    this.check();
    const now = Date.now();
    return this.publish({ id: event.id, functionName: event.functionName, qualifier: event.qualifier, enqueuedAt: now, attempts: 0, nextAt: now }, event.payload);
  }

  async claim(event: QueuedEvent): Promise<Buffer | undefined> {
    this.check();
    const h = this.held.get(event.id);
    if (!h || (h.claimer && h.claimer !== event)) return undefined;
    h.claimer = event;
    // Still the event's newest message? A retry elsewhere or a finish may have made it stale.
    if ((await this.latest(event)) !== h.msg.seq) {
      this.release(event.id, h);
      h.msg.ack();
      return undefined;
    }
    return Buffer.from(h.msg.data);
  }

  async retry(event: QueuedEvent): Promise<void> {
    this.check();
    let h = this.held.get(event.id);
    const old = await this.latest(event);
    if (old === undefined) return; // finished already: a retry does not bring it back
    if (h && h.msg.seq !== old) {
      // What this node holds is a stale copy (deleted or superseded while it was on its way here).
      this.release(event.id, h);
      h.msg.ack();
      h = undefined;
    }
    const payload = h ? Buffer.from(h.msg.data) : await this.body(old);
    if (h) this.release(event.id, h);
    try {
      await this.publish(event, payload, `${event.id}.${event.attempts}.${event.nextAt}`);
    } catch (err) {
      if (h && !this.held.has(event.id)) this.held.set(event.id, h);
      throw err;
    }
    await this.remove(h, old);
  }

  async finish(event: QueuedEvent, outcome: FinishOutcome = {}): Promise<Finished> {
    this.check();
    const h = this.held.get(event.id);
    const seq = h?.msg.seq ?? await this.latest(event);
    let dropped = 0;
    if (seq !== undefined && outcome.deadLetter) {
      dropped = await this.letters.keepDeadLetter(event, h ? Buffer.from(h.msg.data) : await this.body(seq), outcome.deadLetter);
    }
    const followUp = outcome.followUp ? await this.enqueue(outcome.followUp) : undefined;
    if (seq !== undefined) {
      if (h) this.release(event.id, h);
      await this.remove(h, seq);
    }
    return followUp ? { followUp, dropped } : { dropped };
  }

  deadLetters(functionName: string, page?: DeadLetterPageRequest): Promise<DeadLetterPage> {
    return this.letters.deadLetters(functionName, page);
  }

  deadLetterCounts(): Promise<Map<string, number>> {
    return this.letters.deadLetterCounts();
  }

  deadLetterDrops(): Promise<Map<string, number>> {
    return this.letters.deadLetterDrops();
  }

  async redrive(functionName: string): Promise<QueuedEvent[]> {
    this.check();
    return this.letters.moveDeadLetters(functionName, async (letters) => {
      const events: QueuedEvent[] = [];
      // One by one: seqs ascend in the letters' order.
      for (const l of letters) events.push(await this.enqueue({ id: l.id, functionName: l.functionName, qualifier: l.qualifier, payload: l.payload }));
      return events;
    });
  }

  forgetDeadLetters(functionName: string): Promise<void> {
    return this.letters.forgetDeadLetters(functionName);
  }

  /** A deleted function's consumer and queued events go (async-stream-forget.ts); resolves after its second pass. */
  forgetEvents(functionName: string, recreated: () => Promise<boolean>): Promise<void> {
    return forgetFunction({
      jsm: this.jsm, names: this.names, pulls: this.pulls, log: this.log, closed: () => this.closed,
      ensure: (fn) => this.ensure(fn), closing: this.closing,
    }, functionName, recreated);
  }

  /** Stop pulling and give back every held message at once (another node runs it now). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.endClosing();
    clearInterval(this.working);
    this.pulls.close();
    this.wake();
    for (const h of this.held.values()) {
      try {
        h.msg.nak();
      } catch {
        // The connection is gone: JetStream gives the message to another node after the ack wait.
      }
    }
    this.held.clear();
    await this.letters.close();
  }

  private async publish(e: Omit<QueuedEvent, 'seq' | 'throttles'> & { seq?: number }, payload: Buffer, msgID?: string): Promise<QueuedEvent> {
    if (!this.ensured.has(e.functionName)) await this.ensure(e.functionName);
    const ack = await this.js.publish(subjectOf(this.names, e.functionName, e.id), payload, {
      headers: eventHeaders(e), ...(msgID ? { msgID } : {}),
    });
    return { id: e.id, functionName: e.functionName, qualifier: e.qualifier, enqueuedAt: e.enqueuedAt, attempts: e.attempts, nextAt: e.nextAt, seq: e.seq ?? ack.seq, throttles: 0 };
  }

  /** Make (or find) the function's consumer, pull from it, and tell the others to. */
  private async ensure(functionName: string): Promise<void> {
    await ensureConsumer(this.jsm, this.names, functionName, this.ackWaitMs);
    this.ensured.add(functionName);
    this.pulls.announce(consumerOf(this.names, functionName));
  }

  /** The stream sequence of the event's newest message, undefined when it has none (finished). */
  private async latest(e: QueuedEvent): Promise<number | undefined> {
    const m = await this.jsm.streams.getMessage(this.names.stream, { last_by_subj: subjectOf(this.names, e.functionName, e.id) }).catch(notFound);
    return m?.seq;
  }

  private async body(seq: number): Promise<Buffer> {
    const m = await this.jsm.streams.getMessage(this.names.stream, { seq });
    return Buffer.from(m.data);
  }

  /** The message is done with: acked when this node holds it (confirmed), else deleted from the stream. */
  private async remove(h: Held | undefined, seq: number): Promise<void> {
    if (h) await h.msg.ackAck();
    else await this.jsm.streams.deleteMessage(this.names.stream, seq, false).catch(notFound);
  }

  private hold(h: Held): void {
    this.held.set(h.event.id, h);
    this.heldOf.set(h.event.functionName, (this.heldOf.get(h.event.functionName) ?? 0) + 1);
  }

  private release(id: string, h: Held): void {
    if (this.held.get(id) !== h) return;
    this.held.delete(id);
    const n = (this.heldOf.get(h.event.functionName) ?? 1) - 1;
    if (n > 0) this.heldOf.set(h.event.functionName, n);
    else this.heldOf.delete(h.event.functionName);
    this.wake();
  }

  private wake(): void {
    const waiters = this.freedWaiters;
    this.freedWaiters = [];
    for (const w of waiters) w();
  }

  /** A message from the consumer: held and handed to the invoker, or answered at once (stale, not due, foreign). */
  private take(msg: JsMsg): void {
    const event = this.closed ? undefined : eventOf(msg.headers, msg.seq);
    if (!event) {
      if (this.closed) msg.nak();
      else {
        this.log(`lambkin: async stream: message ${msg.seq} on ${msg.subject} is not an event of lambkin's; dropped`);
        msg.term();
      }
      return;
    }
    const h = this.held.get(event.id);
    if (h) {
      if (h.msg.seq === msg.seq) {
        h.msg = msg; // delivered again (an in-progress word came late): it is held already
        return;
      }
      if (msg.seq < h.msg.seq) {
        msg.ack(); // an older copy of a retried event: stale
        return;
      }
      if (h.claimer) {
        msg.nak(5_000); // a newer copy while the old one runs: look again later
        return;
      }
      this.release(event.id, h);
      h.msg.ack();
    }
    if (msg.info.deliveryCount > this.maxDeliveries) {
      void this.poisoned(msg, event);
      return;
    }
    const wait = event.nextAt - Date.now();
    if (wait > HOLD_AHEAD_MS) {
      msg.nak(wait);
      return;
    }
    this.hold({ msg, event });
    this.listener?.(event);
  }

  /**
   * Handed out more than maxDeliveries times without being finished: every node that took it
   * stopped or died before it was done (a payload that crashes its node would come back forever).
   * Kept as a dead letter saying so, unless it is a stale copy; held meanwhile, so it is not taken twice.
   */
  private async poisoned(msg: JsMsg, event: QueuedEvent): Promise<void> {
    const h: Held = { msg, event, claimer: event };
    this.hold(h);
    try {
      if ((await this.latest(event)) === msg.seq) {
        await this.letters.keepDeadLetter(event, Buffer.from(msg.data), {
          failedAt: Date.now(), attempts: event.attempts, condition: 'RetriesExhausted', errorType: 'Lambkin.DeliveryLimitExceeded',
          errorMessage: `The event was handed to a node ${msg.info.deliveryCount - 1} times and never finished: each node that took it ` +
            'stopped or died while it held it (its payload may be what crashes them). It is not run again; see the nodes\' logs for its request id.',
        });
        this.log(`lambkin: async event ${event.id} of ${event.functionName} was handed out ${msg.info.deliveryCount - 1} times and never finished; kept as a dead letter (Lambkin.DeliveryLimitExceeded)`);
      }
      this.release(event.id, h);
      await msg.ackAck();
    } catch (err) {
      this.log(`lambkin: async event ${event.id} of ${event.functionName}: could not be kept as a dead letter (${(err as Error)?.message ?? String(err)}); given back`);
      this.release(event.id, h);
      try {
        msg.nak(5_000);
      } catch {
        // Disconnected: JetStream hands it out again after the ack wait.
      }
    }
  }

  private check(): void {
    if (this.closed) throw new Error('The async queue is closed.');
  }
}

/** A lookup of a message that is not there answers undefined; other failures go on. */
function notFound(err: unknown): undefined {
  const code = (err as { api_error?: { err_code?: number }; code?: string })?.api_error?.err_code;
  // 10037: no message found (get); a delete answers "sequence N not found".
  if (code === 10037 || /no message found|sequence \d+ not found/i.test((err as Error)?.message ?? '')) return undefined;
  throw err;
}
