// Pulling a cluster's Event invocations (docs/cluster.md, "Async"): one durable consumer per function
// (async-stream-wire.ts), and on every node one pull loop per consumer, so that one function's
// backlog never stands in front of another function's events. A loop asks only for what the node
// may still hold of that function and in all (room()), so nothing waits unheld in a client buffer.
//
// A node learns of a function's consumer when it makes one itself (its first Event invocation
// through this node), from the notice the maker sends on NATS, and from a listing of the stream's
// consumers every SCAN_MS (a notice missed while disconnected, a node that just started).
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
  log(line: string): void;
}

export class FunctionPulls {
  private readonly loops = new Set<string>();
  private readonly batches = new Set<ConsumerMessages>();
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
        if (!err) this.pull(codec.decode(msg.data));
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

  close(): void {
    this.closed = true;
    clearInterval(this.scanner);
    this.notices?.unsubscribe();
    for (const b of this.batches) b.stop();
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
    this.loops.add(consumer);
    void this.loop(consumer, fn);
  }

  private async loop(name: string, fn: string): Promise<void> {
    try {
      const consumer = await this.js.consumers.get(this.names.stream, name);
      while (!this.closed) {
        let n = this.hooks.room(fn);
        while (n <= 0 && !this.closed) {
          await this.hooks.freed();
          n = this.hooks.room(fn);
        }
        if (this.closed) break;
        const batch = await consumer.fetch({ max_messages: Math.min(64, n), expires: PULL_EXPIRES_MS });
        this.batches.add(batch);
        try {
          // Closed while the pull was being asked for: stop it at once (NATS no longer hands it messages).
          if (this.closed) batch.stop();
          for await (const msg of batch) this.hooks.take(msg);
        } finally {
          this.batches.delete(batch);
        }
      }
      this.loops.delete(name);
    } catch (err) {
      this.loops.delete(name);
      if (this.closed) return;
      const code = (err as { api_error?: { err_code?: number } })?.api_error?.err_code;
      // The consumer was removed: it is found again by a scan once it is made again.
      if (code === 10014 || /consumer not found/i.test((err as Error)?.message ?? '')) return;
      this.hooks.log(`lambkin: async stream: pulling ${fn}'s events stopped (${(err as Error)?.message ?? String(err)}); starting again in 1 s`);
      setTimeout(() => this.pull(name), 1_000);
    }
  }
}
