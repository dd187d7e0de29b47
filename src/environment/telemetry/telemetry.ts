// The Telemetry API's deliveries of one environment: each subscribed extension has a queue, sent
// as a JSON array when it holds maxItems or maxBytes, or timeoutMs after its first event — one
// POST at a time. A slow or dead listener costs a bounded queue (twice a batch): past it, events
// are dropped and counted, and the next batch starts with a platform.logsDropped saying how many.
// Events before any subscription (init's platform events) are kept, bounded, for the subscribers
// that come during init.
import type { Duplex } from 'node:stream';
import type { Subscription, TelemetryType } from './subscribe.js';
import { deliver } from './deliver.js';

interface Subscriber {
  readonly sub: Subscription;
  queue: string[];
  bytes: number;
  timer?: NodeJS.Timeout;
  delivering: boolean;
  droppedRecords: number;
  droppedBytes: number;
}

interface Pending {
  readonly kind: TelemetryType;
  readonly json: string;
}

/** Init's events kept for subscribers yet to come: at most this many, and this many bytes. */
const MAX_BACKLOG = 1_000;
const MAX_BACKLOG_BYTES = 1024 * 1024;

export interface TelemetryOwner {
  /** A connection to `port` on the sandbox's loopback (throws when there can be none). */
  connect(port: number): Duplex;
  /** False while the sandbox is frozen: its listeners cannot answer; the queue waits for flushAll(). */
  canDeliver(): boolean;
  /** A delivery ended (the environment may freeze again). */
  deliveryEnded(): void;
  /** Keep init's events for subscribers to come: only when some extension may subscribe. */
  maySubscribe(): boolean;
}

export class Telemetry {
  private readonly subs = new Map<string, Subscriber>();
  private backlog: Pending[] | undefined = [];
  private backlogBytes = 0;
  private stopped = false;

  constructor(private readonly owner: TelemetryOwner) {}

  get delivering(): boolean {
    for (const s of this.subs.values()) if (s.delivering) return true;
    return false;
  }

  subscribe(extensionId: string, sub: Subscription): void {
    const old = this.subs.get(extensionId);
    if (old) clearTimeout(old.timer);
    const s: Subscriber = { sub, queue: [], bytes: 0, delivering: false, droppedRecords: 0, droppedBytes: 0 };
    this.subs.set(extensionId, s);
    for (const p of this.backlog ?? []) if (sub.types.has(p.kind)) this.enqueue(s, p.json);
  }

  /** Init is over: events from now on go only to subscribers. */
  endInit(): void {
    this.backlog = undefined;
  }

  emit(kind: TelemetryType, type: string, record: unknown): void {
    const keep = this.backlog !== undefined && this.owner.maySubscribe();
    if (this.stopped || (this.subs.size === 0 && !keep)) return;
    const json = JSON.stringify({ time: new Date().toISOString(), type, record });
    if (keep && this.backlog!.length < MAX_BACKLOG && this.backlogBytes + json.length <= MAX_BACKLOG_BYTES) {
      this.backlog!.push({ kind, json });
      this.backlogBytes += json.length;
    }
    for (const s of this.subs.values()) if (s.sub.types.has(kind)) this.enqueue(s, json);
  }

  /** Send what every queue holds now (the invocation ended; the sandbox was thawed; shutdown). */
  flushAll(): void {
    for (const s of this.subs.values()) this.flush(s);
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.subs.values()) clearTimeout(s.timer);
  }

  private enqueue(s: Subscriber, json: string): void {
    const size = Buffer.byteLength(json);
    if (s.queue.length >= 2 * s.sub.maxItems || s.bytes + size > 2 * s.sub.maxBytes) {
      s.droppedRecords++;
      s.droppedBytes += size;
      return;
    }
    s.queue.push(json);
    s.bytes += size;
    if (s.queue.length >= s.sub.maxItems || s.bytes >= s.sub.maxBytes) this.flush(s);
    else s.timer ??= setTimeout(() => this.flush(s), s.sub.timeoutMs);
  }

  private flush(s: Subscriber): void {
    clearTimeout(s.timer);
    s.timer = undefined;
    if (this.stopped || s.delivering || (s.queue.length === 0 && s.droppedRecords === 0) || !this.owner.canDeliver()) return;
    const batch: string[] = [];
    let bytes = 2;
    if (s.droppedRecords > 0) {
      batch.push(JSON.stringify({ time: new Date().toISOString(), type: 'platform.logsDropped', record: {
        reason: 'The subscriber did not keep up (slow, unreachable or refusing): events were dropped.',
        droppedRecords: s.droppedRecords, droppedBytes: s.droppedBytes,
      } }));
      s.droppedRecords = 0;
      s.droppedBytes = 0;
    }
    while (s.queue.length > 0 && batch.length < s.sub.maxItems && (batch.length === 0 || bytes + Buffer.byteLength(s.queue[0]!) <= s.sub.maxBytes)) {
      const item = s.queue.shift()!;
      const size = Buffer.byteLength(item);
      s.bytes -= size;
      bytes += size + 1;
      batch.push(item);
    }
    s.delivering = true;
    const body = Buffer.from(`[${batch.join(',')}]`);
    void deliver(() => this.owner.connect(s.sub.port), s.sub.hostHeader, s.sub.path, body).then((ok) => {
      s.delivering = false;
      if (!ok) {
        s.droppedRecords += batch.length;
        s.droppedBytes += body.length;
      }
      if (!this.stopped && s.queue.length > 0) s.timer ??= setTimeout(() => this.flush(s), s.sub.timeoutMs);
      this.owner.deliveryEnded();
    });
  }
}
