// Subscription filters at work: events a group's filter matches go to the filter's Lambda function
// as CloudWatch Logs' subscription messages — `{"awslogs":{"data": base64(gzip(JSON))}}`, the JSON
// being {messageType: "DATA_MESSAGE", owner, logGroup, logStream, subscriptionFilters, logEvents}.
//
// - Off the writer's turn: onWritten only appends matches to a per-(filter, stream) buffer; a timer
//   (FLUSH_MS) or a full buffer sends them, each message through the async invoke queue (durable,
//   retried, dead-lettered like any Event invocation) — never a synchronous invoke.
// - Bounded: a message holds at most MAX_EVENTS events or MAX_RAW_BYTES of messages (gzip makes it
//   smaller, under the 256 KB Event payload); at most MAX_BUFFERED events wait in all, past that
//   matches are dropped and counted in the server log.
// - No feedback loop: a function subscribed to its own group (or to a group it logs into via
//   another subscription) would invoke itself for ever. Lines logged by an invocation that a
//   subscription started are never delivered to a subscription again (their request ids are
//   remembered, the last MAX_REMEMBERED of them).
// - The filters are read from the store at start, after every put or delete here, and every
//   RELOAD_MS (another server sharing the store may have changed them).
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { compilePattern, type Batch, type CompiledPattern, type LogEvent, type LogReader, type SubscriptionFilter } from '../../logs/index.js';
import { ACCOUNT_ID } from '../../registry/index.js';

const FLUSH_MS = 250;
const MAX_EVENTS = 1000;
const MAX_RAW_BYTES = 192 * 1024;
const MAX_BUFFERED = 50_000;
const MAX_REMEMBERED = 10_000;
const RELOAD_MS = 30_000;

export type Enqueue = (functionName: string, qualifier: string | undefined, payload: Buffer, requestId: string) => Promise<void>;

interface Active {
  readonly filter: SubscriptionFilter;
  readonly pattern: CompiledPattern | undefined;
  readonly functionName: string;
  readonly qualifier: string | undefined;
}

interface Pending {
  readonly active: Active;
  readonly stream: string;
  readonly events: { id: string; timestamp: number; message: string }[];
  bytes: number;
}

/** The function (and qualifier) an ARN of a Lambda function names; undefined when it names none. */
export function lambdaDestination(arn: string): { name: string; qualifier: string | undefined } | undefined {
  const m = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:([a-zA-Z0-9-_]{1,64})(?::([a-zA-Z0-9-_$]{1,128}))?$/.exec(arn);
  return m ? { name: m[1]!, qualifier: m[2] } : undefined;
}

export class SubscriptionDelivery {
  private byGroup = new Map<string, Active[]>();
  private readonly pending = new Map<string, Pending>();
  private buffered = 0;
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly ready: Pending[] = [];
  private immediate: NodeJS.Immediate | undefined;
  /** Request ids of invocations that deliveries started, oldest first. */
  private readonly delivered = new Set<string>();
  private readonly unsubscribe: () => void;
  private readonly reloader: NodeJS.Timeout;

  constructor(private readonly store: LogReader, private readonly enqueue: Enqueue, private readonly log: (line: string) => void) {
    this.unsubscribe = store.onWritten((batch) => this.written(batch));
    this.reloader = setInterval(() => void this.reload(), RELOAD_MS);
    this.reloader.unref();
    void this.reload();
  }

  /** Read the filters again (after a put or delete). */
  async reload(): Promise<void> {
    try {
      const byGroup = new Map<string, Active[]>();
      for (const filter of (await this.store.subscriptionFilters()) ?? []) {
        const dest = lambdaDestination(filter.destinationArn);
        if (!dest) continue;
        const list = byGroup.get(filter.group) ?? [];
        list.push({ filter, pattern: filter.pattern ? compilePattern(filter.pattern) : undefined, functionName: dest.name, qualifier: dest.qualifier });
        byGroup.set(filter.group, list);
      }
      this.byGroup = byGroup;
    } catch (err) {
      this.log(`lambkin: could not read the subscription filters: ${(err as Error).message}`);
    }
  }

  close(): void {
    this.unsubscribe();
    clearInterval(this.reloader);
    clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.flush();
  }

  private written(batch: Batch): void {
    if (this.byGroup.size === 0) return;
    for (let i = 0; i < batch.events.length; i++) {
      const e = batch.events[i]!;
      const filters = this.byGroup.get(e.group);
      if (!filters || (e.requestId !== undefined && this.delivered.has(e.requestId))) continue;
      for (const a of filters) if (!a.pattern || a.pattern.test(e.message)) this.add(a, e, String(batch.first + i));
    }
  }

  private add(active: Active, e: LogEvent, id: string): void {
    if (this.buffered >= MAX_BUFFERED) {
      if (this.dropped++ === 0) this.log(`lambkin: subscription deliveries are behind; matching events are dropped until they catch up`);
      return;
    }
    const key = `${active.filter.group}\0${active.filter.name}\0${e.stream}`;
    let p = this.pending.get(key);
    if (!p) this.pending.set(key, (p = { active, stream: e.stream, events: [], bytes: 0 }));
    p.events.push({ id, timestamp: e.timestamp, message: e.message });
    p.bytes += e.message.length + 64;
    this.buffered++;
    if (p.events.length >= MAX_EVENTS || p.bytes >= MAX_RAW_BYTES) {
      // Full: it goes on a turn of its own (gzip is not the writer's work); the next ones start anew.
      this.pending.delete(key);
      this.ready.push(p);
      this.immediate ??= setImmediate(() => this.sendReady());
    }
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private sendReady(): void {
    this.immediate = undefined;
    for (const p of this.ready.splice(0)) this.send(p);
  }

  private flush(): void {
    this.timer = undefined;
    this.sendReady();
    if (this.dropped > 0) this.log(`lambkin: ${this.dropped} matching events were not delivered to subscription filters (deliveries were behind)`);
    this.dropped = 0;
    for (const p of this.pending.values()) this.send(p);
    this.pending.clear();
  }

  private send(p: Pending): void {
    this.buffered -= p.events.length;
    const { filter, functionName, qualifier } = p.active;
    const message = {
      messageType: 'DATA_MESSAGE', owner: ACCOUNT_ID, logGroup: filter.group, logStream: p.stream,
      subscriptionFilters: [filter.name], logEvents: p.events,
    };
    const payload = Buffer.from(JSON.stringify({ awslogs: { data: gzipSync(JSON.stringify(message)).toString('base64') } }));
    const requestId = randomUUID();
    this.remember(requestId);
    this.enqueue(functionName, qualifier, payload, requestId).catch((err: unknown) => {
      this.log(`lambkin: subscription filter ${filter.name} of ${filter.group} could not queue its delivery to ${functionName}: ${(err as Error).message}`);
    });
  }

  private remember(requestId: string): void {
    this.delivered.add(requestId);
    if (this.delivered.size > MAX_REMEMBERED) this.delivered.delete(this.delivered.values().next().value!);
  }
}
