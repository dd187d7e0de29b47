// The PostgreSQL log store (LogStore, ../store.ts), for lambkin on --database-url: the LogSink the
// environments write to, and the readers the APIs query (reader.ts). Same contract as the SQLite
// store; what differs is said in schema.ts (ids, full text, NUL) and writer.ts (the writers' lock).
//
// Writing is off the invoke path: append() only queues (write-queue.ts); a timer writes batches,
// one transaction each, one at a time per node. Readers first write what is queued (bounded), so a
// caller reads what it just caused. A batch that fails because the database is away is kept and
// tried again (the queue's limits bound what waits meanwhile, and say what they drop); one the
// database refuses is dropped and said once per run of failures.
import { DatabaseUnavailable, migratePostgres, type Postgres } from '../../database/index.js';
import type { InvocationRecord, LogEvent, StreamInfo } from '../types.js';
import type { LogStore, WrittenOptions } from '../store.js';
import { indexBlocks, setUpInfixIndex } from './infix.js';
import { QueuedSink } from '../queued-sink.js';
import { bulkBatch, type Batch, type QueueLimits } from '../write-queue.js';
import { PgLogReader } from './reader.js';
import { PgRetentionSweep } from './retention.js';
import { LOG_STORE_MIGRATIONS } from './schema.js';
import { Writer } from './writer.js';

export interface PostgresLogStoreOptions {
  /** How often the retention sweep runs (default 5 minutes). */
  readonly sweepIntervalMs?: number;
  /**
   * How long an event may wait in the queue before a batch is written (default 500 ms, as on SQLite;
   * sooner once FLUSH_EVENTS are queued). A batch costs ~4 ms of this thread and ~5 ms of the
   * database's besides its rows (measured at 100 invocations a batch), so fewer, larger batches cost
   * less per invocation. Readers write the queue first; only the live tail sees the delay.
   */
  readonly flushDelayMs?: number;
  readonly queue?: QueueLimits;
  readonly log?: (line: string) => void;
}

const BATCH_EVENTS = 2000;
const BATCH_CHARS = 512 * 1024;
const FLUSH_EVENTS = 1000;
/** A read writes at most this many batches first (the rest follows on the timer). */
const READ_FLUSH_BATCHES = 4;
/** After a failed write, wait this long before the next try. */
const RETRY_MS = 1000;
/** The trigram index (infix.ts) is filled once this node wrote no batch for this long, a chunk every INDEX_EVERY_MS. */
const INDEX_IDLE_MS = 1000;
const INDEX_EVERY_MS = 100;

export class PostgresLogStore extends PgLogReader implements LogStore {
  private readonly sink: QueuedSink;
  private readonly writer = new Writer();
  private readonly sweep: PgRetentionSweep;
  private readonly log: (line: string) => void;
  private failures = 0;
  /** A batch taken from the queue and not stored yet (the database was away): written first. */
  private pending: Batch | undefined;
  /** The write under way: writes go one at a time, in order. */
  private writing: Promise<void> = Promise.resolve();
  private lastWrite = 0;
  private indexer: NodeJS.Timeout | undefined;
  private indexing: Promise<unknown> = Promise.resolve();
  private indexFailures = 0;
  /** Blocks may wait for the index: set by a write (and at start), cleared once it has caught up. */
  private unindexed = true;

  /** Bring the schema up to date and open the store on `db` (which the caller closes, after the store). */
  static async open(db: Postgres, options: PostgresLogStoreOptions = {}): Promise<PostgresLogStore> {
    await migratePostgres(db, LOG_STORE_MIGRATIONS);
    const store = new PostgresLogStore(db, options);
    store.events.infix = await setUpInfixIndex(db);
    if (store.events.infix) store.startIndexer();
    return store;
  }

  private constructor(private readonly db: Postgres, options: PostgresLogStoreOptions) {
    super(db);
    this.log = options.log ?? ((l) => process.stderr.write(l + '\n'));
    this.sink = new QueuedSink({
      flushDelayMs: options.flushDelayMs ?? 500, flushEvents: FLUSH_EVENTS, queue: options.queue, log: this.log,
      drain: () => void this.drain(), streamCreated: (info) => this.writer.streamCreated(info),
    });
    this.sweep = new PgRetentionSweep(db, this.events, this.log);
    this.sweep.start(options.sweepIntervalMs ?? 300_000);
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

  async writeBatch(events: readonly LogEvent[], records: readonly InvocationRecord[] = []): Promise<void> {
    const batch = bulkBatch(events, records);
    // In turn with the queue's batches, so that ids keep the order of writing.
    const write = this.writing.then(() => this.writer.write(this.db, batch));
    this.writing = write.catch(() => undefined);
    await write;
    this.written(batch);
  }

  async flush(): Promise<void> {
    for (let i = 0; i < READ_FLUSH_BATCHES && (this.sink.queue.size > 0 || this.pending); i++) {
      if (!(await this.writeOne())) break;
    }
    await this.writing;
  }

  /** Bytes of log dropped because environments wrote faster than the store could keep up. */
  get droppedBytes(): number {
    return this.sink.queue.droppedBytes;
  }

  protected deleted(): void {
    this.sweep.soon();
  }

  /** Index every written block now (tests and benchmarks; the store does it by itself when idle). */
  async indexNow(): Promise<void> {
    await this.flush();
    await this.indexing;
    if (this.events.infix) while (!(await indexBlocks(this.db)));
  }

  private startIndexer(): void {
    this.indexer = setInterval(() => {
      if (!this.unindexed || this.sink.isClosed || performance.now() - this.lastWrite < INDEX_IDLE_MS) return;
      clearInterval(this.indexer); // one chunk at a time; set again once it is done
      this.indexing = indexBlocks(this.db).then((done) => {
        this.indexFailures = 0;
        // Caught up: nothing to ask the database until this node writes again (another node's
        // blocks are indexed by that node, or by this one after its next write).
        if (done && performance.now() - this.lastWrite >= INDEX_IDLE_MS) this.unindexed = false;
      }, (err: Error) => {
        // The index only speeds reads up: a failure to fill it is said, and tried again later.
        if (this.indexFailures++ === 0) this.log(`lambkin: could not index logs for text search: ${err.message}`);
      }).finally(() => {
        if (!this.sink.isClosed) this.startIndexer();
      });
    }, INDEX_EVERY_MS);
    this.indexer.unref();
  }

  /** Write everything queued (while the database answers) and stop; the pool is the caller's. */
  async close(): Promise<void> {
    if (!this.sink.close()) return;
    clearInterval(this.indexer);
    await this.indexing;
    await this.sweep.stop();
    while (this.sink.queue.size > 0 || this.pending) {
      if (!(await this.writeOne())) break;
    }
    await this.writing;
  }

  protected putWritten(batch: Batch): void {
    this.sink.listeners.emit(batch);
  }

  private written(batch: Batch): void {
    this.lastWrite = performance.now();
    this.unindexed = true;
    this.sink.listeners.emit(batch);
  }

  private async drain(): Promise<void> {
    const ok = await this.writeOne();
    if (this.sink.isClosed || this.sink.scheduled) return;
    if (!ok) this.sink.retry(RETRY_MS);
    else if (this.sink.queue.size > 0 || this.pending) this.sink.again(0);
  }

  /** Write one batch (the pending one first), after the write under way; false when it failed. */
  private writeOne(): Promise<boolean> {
    const result = this.writing.then(async () => {
      const batch = this.pending ?? this.sink.queue.take(BATCH_EVENTS, BATCH_CHARS);
      this.pending = undefined;
      if (batch.events.length === 0 && batch.records.length === 0) return true;
      try {
        await this.writer.write(this.db, batch);
        if (this.failures > 0) this.log(`lambkin: log store writing again after ${this.failures} failed attempts`);
        this.failures = 0;
        this.written(batch);
        return true;
      } catch (err) {
        // The database away: keep the batch for the next try. Refused: it cannot succeed later.
        if (err instanceof DatabaseUnavailable) this.pending = batch;
        if (this.failures++ === 0) {
          this.log(`lambkin: could not store ${batch.events.length} log events: ${(err as Error).message}` +
            (err instanceof DatabaseUnavailable ? ' (kept; trying again)' : ''));
        }
        return false;
      }
    });
    this.writing = result.then(() => undefined);
    return result;
  }
}
