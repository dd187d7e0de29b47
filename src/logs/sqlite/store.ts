// The SQLite log store (<dataDir>/logs.db), lambkin's embedded default LogStore (../store.ts): the
// LogSink the environments write to, and the readers the APIs query (reader.ts).
// Writing is off the invoke path: append() only queues (write-queue.ts); a timer writes batches,
// each in one transaction, giving the event loop back between batches — under a flood the writer
// takes at most about half the server's time and the queue's limits drop the rest. Readers first
// write what is queued (bounded), so a caller reads what it just caused. Checkpoints run on a
// thread of their own (checkpointer.ts).
import { join } from 'node:path';
import { openLogDatabase, type LogDatabase } from './schema.js';
import type { InvocationRecord, LogEvent, StreamInfo } from '../types.js';
import type { LogStore, WrittenOptions } from '../store.js';
import { QueuedSink } from '../queued-sink.js';
import { bulkBatch, type Batch, type QueueLimits } from '../write-queue.js';
import { Writer } from './writer.js';
import { SqliteLogReader } from './reader.js';
import { RetentionSweep } from './retention.js';
import { Checkpointer } from './checkpointer.js';

export interface LogStoreOptions {
  /** How often the retention sweep runs (default 5 minutes). */
  readonly sweepIntervalMs?: number;
  /**
   * How long an event may wait in the queue before a batch is written (default 500 ms; sooner once
   * FLUSH_EVENTS are queued). Each commit has a cost of its own (a new FTS segment, and WAL pages
   * for every index page it touched — the stream index alone is touched at one place per stream),
   * so fewer, larger batches cost much less per event: measured ~13 µs per event row at 100 rows
   * per commit, ~8 µs at 400. Readers do not wait for it (they write the queue first); only the
   * live tail sees the delay.
   */
  readonly flushDelayMs?: number;
  readonly queue?: QueueLimits;
  readonly log?: (line: string) => void;
}

/** One transaction writes at most this much, so that it holds the event loop for a few ms. */
const BATCH_EVENTS = 2000;
const BATCH_CHARS = 512 * 1024;
/** A batch is written as soon as this many events and records are queued, whatever the delay. */
const FLUSH_EVENTS = 1000;
/** How long a read may spend writing the queue first (the rest follows on the timer). */
const READ_SYNC_MS = 20;
/** The trigram index (infix-index.ts) is filled once no batch was written for this long … */
const INDEX_IDLE_MS = 1000;
/** … a slice of this long every INDEX_EVERY_MS (at most a tenth of the server's time). */
const INDEX_SLICE_MS = 10;
const INDEX_EVERY_MS = 100;

export class SqliteLogStore extends SqliteLogReader implements LogStore {
  private readonly sink: QueuedSink;
  private readonly writer: Writer;
  private readonly sweep: RetentionSweep;
  private readonly checkpointer: Checkpointer;
  private readonly log: (line: string) => void;
  private stopped: Promise<void> = Promise.resolve();
  private failures = 0;
  private lastWrite = 0;
  private indexFailures = 0;
  private readonly indexer: NodeJS.Timeout;

  static open(dataDir: string, options: LogStoreOptions = {}): SqliteLogStore {
    const path = join(dataDir, 'logs.db');
    return new SqliteLogStore(openLogDatabase(path), path, options);
  }

  private constructor(private readonly db: LogDatabase, path: string, options: LogStoreOptions) {
    super(db);
    this.log = options.log ?? ((l) => process.stderr.write(l + '\n'));
    this.writer = new Writer(db);
    this.sink = new QueuedSink({
      flushDelayMs: options.flushDelayMs ?? 500, flushEvents: FLUSH_EVENTS, queue: options.queue, log: this.log,
      drain: () => this.drain(), streamCreated: (info) => this.writer.streamCreated(info),
    });
    this.checkpointer = new Checkpointer(db, path);
    this.sweep = new RetentionSweep(db, this.events.time, () => this.writer.forget(), this.log);
    this.sweep.start(options.sweepIntervalMs ?? 300_000);
    this.indexer = setInterval(() => this.indexIdle(), INDEX_EVERY_MS);
    this.indexer.unref();
  }

  // ---- LogSink: called on the invoke path; queue only ----------------------------------------

  streamCreated(info: StreamInfo): void {
    this.sink.streamCreated(info);
  }

  append(event: LogEvent): void {
    this.sink.append(event);
  }

  invocation(record: InvocationRecord): void {
    this.sink.invocation(record);
  }

  onWritten(listener: (batch: Batch) => void, options?: WrittenOptions): () => void {
    return this.sink.onWritten(listener, options);
  }

  // ---- writing ------------------------------------------------------------------------------

  /** Write events and records straight away in one transaction (bulk loads, benchmarks). */
  async writeBatch(events: readonly LogEvent[], records: readonly InvocationRecord[] = []): Promise<void> {
    this.writeNow(events, records);
  }

  /** writeBatch, synchronously (this store's own tests and benchmarks). */
  writeNow(events: readonly LogEvent[], records: readonly InvocationRecord[] = []): void {
    const batch = bulkBatch(events, records);
    this.writer.write(batch);
    this.written(batch);
  }

  /** Write what is queued now: at least one batch, more while within `ms`. */
  sync(ms = READ_SYNC_MS): void {
    const until = performance.now() + ms;
    do {
      if (this.sink.queue.size === 0) return;
      this.writeOne();
    } while (performance.now() < until);
  }

  /** Bytes of log dropped because environments wrote faster than the store could keep up. */
  get droppedBytes(): number {
    return this.sink.queue.droppedBytes;
  }

  protected deleted(): void {
    this.writer.forget();
    this.sweep.soon(); // purge the group's events now, in the background
  }

  async close(): Promise<void> {
    await this.closeNow();
  }

  /**
   * Write everything queued and close the database, now; the promise settles once the checkpoint
   * thread has let go of the files too.
   */
  closeNow(): Promise<void> {
    if (!this.sink.close()) return this.stopped;
    clearInterval(this.indexer);
    this.sweep.stop();
    while (this.sink.queue.size > 0) this.writeOne();
    this.stopped = this.checkpointer.stop();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
    return this.stopped;
  }

  protected putWritten(batch: Batch): void {
    this.sink.listeners.emit(batch);
  }

  private written(batch: Batch): void {
    this.lastWrite = performance.now();
    this.sink.listeners.emit(batch);
  }

  /** A slice of the trigram index's catching up, while nothing is being written. */
  private indexIdle(): void {
    if (this.sink.isClosed || performance.now() - this.lastWrite < INDEX_IDLE_MS) return;
    try {
      if (this.events.infix.catchUp(INDEX_SLICE_MS)) this.indexFailures = 0;
    } catch (err) {
      // The index only speeds reads up: a failure to fill it is said, and tried again later.
      if (this.indexFailures++ === 0) this.log(`lambkin: could not index logs for text search: ${(err as Error).message}`);
    }
  }

  /** Index every written block now (tests and benchmarks; the store does it by itself when idle). */
  indexNow(): void {
    this.sync(Number.POSITIVE_INFINITY);
    while (!this.events.infix.catchUp(50));
  }

  private drain(): void {
    const started = performance.now();
    this.writeOne();
    // Give the event loop at least as long as the batch took before the next one.
    if (this.sink.queue.size > 0) this.sink.again(Math.min(50, Math.max(1, performance.now() - started)));
  }

  private writeOne(): void {
    const batch = this.sink.queue.take(BATCH_EVENTS, BATCH_CHARS);
    try {
      this.writer.write(batch);
      this.failures = 0;
      this.written(batch);
    } catch (err) {
      // A full disk or a broken database must not take the server down with it: the batch is
      // lost, said once per run of failures.
      if (this.failures++ === 0) this.log(`lambkin: could not store ${batch.events.length} log events: ${(err as Error).message}`);
      this.writer.forget();
    }
  }
}
