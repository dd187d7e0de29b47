// Pulling a cluster's Event invocations (docs/cluster.md, "Async"): one durable consumer per function
// (async-stream-wire.ts), and on every node one pull loop per consumer, so that one function's
// backlog never stands in front of another function's events. A loop asks only for what the node
// may still hold of that function and in all (room()), so nothing waits unheld in a client buffer.
//
// A node learns of a function's consumer when it makes one itself (its first Event invocation
// through this node), from the notice the maker sends on NATS, and from a listing of the stream's
// consumers every SCAN_MS (a notice missed while disconnected, a node that just started). The node
// that removes a consumer (its function was deleted) says so on the same subject, "-<consumer>":
// every node ends its loop of it at once and forgets that it was made.
import { StringCodec, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg, type NatsConnection, type Subscription } from 'nats';
import { consumerNotice, functionOfConsumer, type StreamNames } from './async-stream-wire.js';

const SCAN_MS = 10_000;
/** A pull waits this long for messages before it is asked again (an idle function costs one pull per node this often). */
const PULL_EXPIRES_MS = 30_000;
const codec = StringCodec();

export interface PullHooks {
  /** How many more messages of this function the node may take now (0: wait for freed()). */
  room(functionName: string): number;
  /** Resolves when the node released a held message. */
  freed(): Promise<void>;
  take(msg: JsMsg): void;
  /** The function's consumer was removed (by this node or another): it must be made again before its next event is published. */
  removed(functionName: string): void;
  log(line: string): void;
}

/** A removal notice is the consumer's name behind this mark (a consumer's name never starts with it). */
const REMOVED = '-';

export class FunctionPulls {
  /** The running loop of each consumer: its token, so that a loop ended by forget() stops even when a new one has started. */
  private readonly loops = new Map<string, symbol>();
  private readonly batches = new Map<ConsumerMessages, string>();
  private scanner: NodeJS.Timeout | undefined;
  private notices: Subscription | undefined;
  private started = false;
  private closed = false;

  constructor(
    private readonly nc: NatsConnection, private readonly js: JetStreamClient, private readonly jsm: JetStreamManager,
    private readonly names: StreamNames, private readonly hooks: PullHooks,
  ) {}

  start(): void {
    this.started = true;
    this.notices = this.nc.subscribe(consumerNotice(this.names), {
      callback: (err, msg) => {
        if (err) return;
        const notice = codec.decode(msg.data);
        if (notice.startsWith(REMOVED)) this.forget(notice.slice(REMOVED.length));
        else this.pull(notice);
      },
    });
    void this.scan();
    this.scanner = setInterval(() => void this.scan(), SCAN_MS);
  }

  /** This node made (or found) the consumer: pull from it, and tell the others to. */
  announce(consumer: string): void {
    this.pull(consumer);
    try {
      this.nc.publish(consumerNotice(this.names), codec.encode(consumer));
    } catch {
      // Disconnected: the others find it at their next scan.
    }
  }

  /** This node removed the consumer: end the loops of it here, and tell the others to (flushed: sent before this resolves). */
  async removed(consumer: string): Promise<void> {
    this.forget(consumer);
    try {
      this.nc.publish(consumerNotice(this.names), codec.encode(REMOVED + consumer));
      await this.nc.flush();
    } catch {
      // Disconnected: the others' loops of it end by themselves (the consumer is gone).
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.scanner);
    this.notices?.unsubscribe();
    for (const b of this.batches.keys()) b.stop();
  }

  /** End this node's loop of `consumer` (its pull stops at once) and forget its function's consumer. */
  private forget(consumer: string): void {
    const fn = functionOfConsumer(this.names, consumer);
    if (fn === undefined) return;
    this.loops.delete(consumer);
    for (const [b, name] of this.batches) if (name === consumer) b.stop();
    this.hooks.removed(fn);
  }

  private async scan(): Promise<void> {
    try {
      const lister = await this.jsm.consumers.list(this.names.stream);
      for await (const c of lister) this.pull(c.name);
    } catch (err) {
      if (!this.closed) this.hooks.log(`lambkin: async stream: listing its consumers failed (${(err as Error)?.message ?? String(err)}); trying again in ${SCAN_MS / 1000} s`);
    }
  }

  private pull(consumer: string): void {
    const fn = functionOfConsumer(this.names, consumer);
    // Not before start(): nobody would take the events yet (start's scan finds the consumer).
    if (!this.started || this.closed || fn === undefined || this.loops.has(consumer)) return;
    const token = Symbol(consumer);
    this.loops.set(consumer, token);
    void this.loop(consumer, fn, token);
  }

  private async loop(name: string, fn: string, token: symbol): Promise<void> {
    const current = () => !this.closed && this.loops.get(name) === token;
    try {
      const consumer = await this.js.consumers.get(this.names.stream, name);
      while (current()) {
        let n = this.hooks.room(fn);
        while (n <= 0 && current()) {
          await this.hooks.freed();
          n = this.hooks.room(fn);
        }
        if (!current()) break;
        const batch = await consumer.fetch({ max_messages: Math.min(64, n), expires: PULL_EXPIRES_MS });
        this.batches.set(batch, name);
        try {
          // Closed or forgotten while the pull was being asked for: stop it at once (NATS no longer hands it messages).
          if (!current()) batch.stop();
          for await (const msg of batch) this.hooks.take(msg);
        } finally {
          this.batches.delete(batch);
        }
      }
      if (this.loops.get(name) === token) this.loops.delete(name);
    } catch (err) {
      const mine = this.loops.get(name) === token;
      if (mine) this.loops.delete(name);
      if (this.closed || !mine) return; // ended on purpose: its consumer was removed
      const code = (err as { api_error?: { err_code?: number } })?.api_error?.err_code;
      // The consumer was removed: it is found again by a scan once it is made again.
      if (code === 10014 || /consumer (not found|deleted)/i.test((err as Error)?.message ?? '')) return;
      this.hooks.log(`lambkin: async stream: pulling ${fn}'s events stopped (${(err as Error)?.message ?? String(err)}); starting again in 1 s`);
      setTimeout(() => this.pull(name), 1_000);
    }
  }
}
