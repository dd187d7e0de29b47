// The bounded in-memory queue between the invoke path and the store. `push` is all an invocation
// ever pays for a log line: no I/O, no allocation beyond the event itself. Memory is bounded per
// environment (so one flooding function cannot crowd out the others) and in total. An
// environment over its budget loses events, counted; once its queue has drained to half the
// budget, one visible `lambkin: N bytes of log dropped` event goes into its stream.
import type { InvocationRecord, LogEvent } from './types.js';
import { placesIn, type PlatformLines } from './platform-places.js';
import { cutRecord } from './record-limits.js';

export interface QueueLimits {
  /** Bytes of queued messages one environment may hold. */
  readonly envBytes: number;
  /** Bytes of queued messages all environments together may hold. */
  readonly totalBytes: number;
}

// Per environment: a burst of a few MB fits; a flooder's backlog (which delays everyone's lines,
// the queue being first in, first out) stays a few batches long.
export const DEFAULT_QUEUE_LIMITS: QueueLimits = { envBytes: 2 * 1024 * 1024, totalBytes: 64 * 1024 * 1024 };
/** Lambda's cap on one event; longer messages are cut (log-capture.ts cuts lines already). */
export const MAX_MESSAGE_CHARS = 256 * 1024;
/** Rough cost of an event's object beyond its text, so that floods of empty lines count too. */
const EVENT_OVERHEAD = 96;

interface EnvAccount {
  queued: number;
  dropped: number;
  last: LogEvent | undefined; // the last dropped event: where the notice goes
}

export interface Batch {
  readonly events: LogEvent[];
  readonly records: InvocationRecord[];
  /** The place of events[0] in the sequence of events pushed (`lines` count in it). */
  readonly first: number;
  /** Where some records' START, END and REPORT went in that sequence (platform-places.ts). */
  readonly lines?: ReadonlyMap<InvocationRecord, PlatformLines>;
}

export class WriteQueue {
  private events: LogEvent[] = [];
  private head = 0;
  private records: InvocationRecord[] = [];
  private lines = new Map<InvocationRecord, PlatformLines>();
  private bytes = 0;
  private added = 0; // events ever queued: the next one's place in the sequence
  private readonly envs = new Map<string, EnvAccount>();
  /** Bytes dropped since the server started (all environments). */
  droppedBytes = 0;

  constructor(private readonly limits: QueueLimits = DEFAULT_QUEUE_LIMITS) {}

  get size(): number {
    return this.events.length - this.head + this.records.length;
  }

  /** Queue an event; its place in the sequence, or -1 when it was dropped. */
  push(event: LogEvent): number {
    const e = event.message.length > MAX_MESSAGE_CHARS ? { ...event, message: event.message.slice(0, MAX_MESSAGE_CHARS) } : event;
    const size = e.message.length + EVENT_OVERHEAD;
    let acct = this.envs.get(e.envId);
    if (!acct) {
      acct = { queued: 0, dropped: 0, last: undefined };
      this.envs.set(e.envId, acct);
    }
    // While dropping, wait for the queue to drain to half before taking events again, so that the
    // stream shows one notice per burst rather than one per event that happened to fit.
    const envLimit = acct.dropped > 0 ? this.limits.envBytes / 2 : this.limits.envBytes;
    if (acct.queued + size > envLimit || this.bytes + size > this.limits.totalBytes) {
      acct.dropped += e.message.length;
      acct.last = e;
      this.droppedBytes += e.message.length;
      return -1;
    }
    if (acct.dropped > 0) this.notice(e.envId, acct);
    return this.add(e, size, acct);
  }

  /** Queue a record, with where its platform lines went when they were all queued. */
  record(record: InvocationRecord, lines: PlatformLines | undefined): void {
    const r = cutRecord(record);
    this.records.push(r);
    if (lines !== undefined) this.lines.set(r, lines);
  }

  /** Up to `maxEvents` events / `maxBytes` of messages, oldest first, and every pending record. */
  take(maxEvents: number, maxBytes: number): Batch {
    const first = this.added - (this.events.length - this.head);
    const events: LogEvent[] = [];
    let bytes = 0;
    while (this.head < this.events.length && events.length < maxEvents && bytes < maxBytes) {
      const e = this.events[this.head]!;
      this.events[this.head++] = undefined as unknown as LogEvent; // let it be collected
      const size = e.message.length + EVENT_OVERHEAD;
      bytes += size;
      this.bytes -= size;
      const acct = this.envs.get(e.envId);
      if (acct) acct.queued -= size;
      events.push(e);
    }
    if (this.head === this.events.length) {
      this.events = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
    const records = this.records;
    this.records = [];
    const lines = this.lines;
    if (lines.size > 0) this.lines = new Map();
    this.settleAccounts();
    return { events, records, first, lines };
  }

  /** Environments that dropped and have room again get their notice; idle accounts go away. */
  private settleAccounts(): void {
    for (const [envId, acct] of this.envs) {
      if (acct.dropped > 0 && acct.queued <= this.limits.envBytes / 2) this.notice(envId, acct);
      else if (acct.dropped === 0 && acct.queued <= 0) this.envs.delete(envId);
    }
  }

  private notice(envId: string, acct: EnvAccount): void {
    const last = acct.last!;
    const message = `lambkin: ${acct.dropped} bytes of log dropped (this environment wrote faster than lambkin can store)`;
    acct.dropped = 0;
    acct.last = undefined;
    this.add({ ...last, envId, timestamp: Date.now(), level: 'WARN', message, platform: undefined }, message.length + EVENT_OVERHEAD, acct);
  }

  private add(e: LogEvent, size: number, acct: EnvAccount): number {
    this.events.push(e);
    this.bytes += size;
    acct.queued += size;
    return this.added++;
  }
}

/** Events and records written at once (LogWriter.writeBatch), the records placed by the marks in the events. */
export function bulkBatch(events: readonly LogEvent[], records: readonly InvocationRecord[]): Batch {
  const cut = records.map(cutRecord);
  return { events: [...events], records: cut, first: 0, lines: placesIn(events, cut) };
}
