// The LogSink's front door, the same for every store: append() and invocation() only queue
// (write-queue.ts) — all an invocation ever pays for logging; a record goes with where its
// START, END and REPORT went (platform-places.ts) — and set the timer that has the
// store write a batch (its `drain`): after the flush delay, or on the next turn once a full batch
// is queued, or within the prompt delay while a live tail listens (written-listeners.ts). How a
// batch is written, and what a failure means, is the store's.
import type { InvocationRecord, LogEvent, StreamInfo } from './types.js';
import type { WrittenOptions } from './store.js';
import { WrittenListeners } from './written-listeners.js';
import { PlatformPlaces } from './platform-places.js';
import { DEFAULT_QUEUE_LIMITS, WriteQueue, type Batch, type QueueLimits } from './write-queue.js';

export interface QueuedSinkOptions {
  /** How long an event may wait before a batch is written. */
  readonly flushDelayMs: number;
  /** A batch is written on the next turn once this many events and records are queued. */
  readonly flushEvents: number;
  readonly queue?: QueueLimits;
  readonly log: (line: string) => void;
  /** Write (start writing) a batch: the timer fired. */
  readonly drain: () => void;
  /** An environment's stream was made (the store's writer describes its row with it). */
  readonly streamCreated: (info: StreamInfo) => void;
}

export class QueuedSink {
  readonly queue: WriteQueue;
  readonly listeners: WrittenListeners;
  private readonly places = new PlatformPlaces();
  private timer: NodeJS.Timeout | undefined;
  private due = false; // the timer is set to fire soon: a full queue must not cut it short
  private closed = false;

  constructor(private readonly o: QueuedSinkOptions) {
    this.queue = new WriteQueue(o.queue ?? DEFAULT_QUEUE_LIMITS);
    this.listeners = new WrittenListeners(o.log, () => {
      // Lines already waiting for the usual delay go out within the prompt one.
      if (this.timer === undefined || this.due) return;
      this.set(this.listeners.delay(o.flushDelayMs), false);
    });
  }

  streamCreated(info: StreamInfo): void {
    this.o.streamCreated(info);
  }

  append(event: LogEvent): void {
    if (this.closed) return;
    const at = this.queue.push(event);
    if (event.platform !== undefined) this.places.note(event, at);
    this.schedule();
  }

  invocation(record: InvocationRecord): void {
    if (this.closed) return;
    this.queue.record(record, this.places.take(record));
    this.schedule();
  }

  onWritten(listener: (batch: Batch) => void, options?: WrittenOptions): () => void {
    return this.listeners.add(listener, options);
  }

  /** Drain again in `ms` (more is queued), not sooner for a full queue. */
  again(ms: number): void {
    this.set(ms, true);
  }

  /** Drain again in `ms` (a write failed); a full queue brings it forward. */
  retry(ms: number): void {
    this.set(ms, false);
  }

  /** A drain is set to come (after the one under way). */
  get scheduled(): boolean {
    return this.timer !== undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Take no more events and cancel the timer; false when closed already. */
  close(): boolean {
    if (this.closed) return false;
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    return true;
  }

  private schedule(): void {
    if (this.timer === undefined) {
      this.set(this.listeners.delay(this.o.flushDelayMs), false);
    } else if (!this.due && this.queue.size >= this.o.flushEvents) {
      // A full batch is waiting: write it on the next turn rather than at the end of the delay.
      this.set(0, true);
    }
  }

  private set(ms: number, due: boolean): void {
    clearTimeout(this.timer);
    this.due = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.due = false;
      if (!this.closed) this.o.drain();
    }, ms);
  }
}
