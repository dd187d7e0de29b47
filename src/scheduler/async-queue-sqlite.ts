// The AsyncQueue (async-queue.ts) on SQLite: `<dataDir>/async.db` (WAL, synchronous=FULL), owned
// by one process. An event is committed before its 202 is sent and deleted only once it is done
// (ran to success, or gave up into a destination or the dead-letter list), so a crash at any moment
// re-runs what was running: delivery is at least once. Writes arriving in the same tick share one
// transaction (group commit: one fsync for many accepted events). Reads answer at once, from the
// last commit. One process owns the file, so claim() is a read of the payload: nobody else takes.
//
// The dead-letter list of a function is capped (--dead-letter-limit, 10,000 by default): past it,
// its oldest letters go, and how many went is counted per function (dead_letter_drops).
import type Database from 'better-sqlite3';
import { openSqlite, type Migrations } from '../database/index.js';
import {
  DEFAULT_DEAD_LETTER_LIMIT, DEFAULT_DEAD_LETTER_PAGE, MAX_DEAD_LETTER_PAGE, MAX_DEAD_LETTER_PAGE_BYTES,
  type AsyncQueue, type AsyncQueueOptions, type DeadLetter, type DeadLetterPage, type DeadLetterPageRequest,
  type FinishOutcome, type Finished, type NewEvent, type QueuedEvent,
} from './async-queue.js';

// PRAGMA user_version counts the steps applied (src/database/migrate.ts); never edit a step that has
// shipped, add one. Step 1 keeps IF NOT EXISTS: async.db files made before there were steps have
// these tables already, at version 0.
const MIGRATIONS: Migrations = {
  store: 'async-queue',
  steps: [`
  CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, function TEXT NOT NULL, qualifier TEXT NOT NULL,
    payload BLOB NOT NULL, enqueued_at INTEGER NOT NULL, attempts INTEGER NOT NULL, next_at INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE IF NOT EXISTS dead_letters (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, function TEXT NOT NULL, qualifier TEXT NOT NULL,
    payload BLOB NOT NULL, enqueued_at INTEGER NOT NULL, failed_at INTEGER NOT NULL, attempts INTEGER NOT NULL,
    condition TEXT NOT NULL, error_type TEXT, error_message TEXT
  ) STRICT;
  CREATE INDEX IF NOT EXISTS dead_letters_by_function ON dead_letters (function, seq);
  CREATE TABLE IF NOT EXISTS dead_letter_drops (function TEXT PRIMARY KEY, dropped INTEGER NOT NULL) STRICT;`],
};

interface RawEvent {
  seq: number;
  id: string;
  function: string;
  qualifier: string;
  enqueued_at: number;
  attempts: number;
  next_at: number;
}

interface RawDead extends RawEvent {
  payload: Buffer;
  failed_at: number;
  condition: string;
  error_type: string | null;
  error_message: string | null;
}

export class SqliteAsyncQueue implements AsyncQueue {
  private readonly s;
  private batch: { run: () => unknown; resolve: (value: unknown) => void; reject: (err: unknown) => void }[] = [];

  private constructor(private readonly db: Database.Database, readonly deadLetterLimit: number) {
    this.s = {
      insert: db.prepare<[string, string, string, Buffer, number, number, number]>(
        'INSERT INTO events (id, function, qualifier, payload, enqueued_at, attempts, next_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      all: db.prepare<[], RawEvent>('SELECT seq, id, function, qualifier, enqueued_at, attempts, next_at FROM events ORDER BY next_at, seq'),
      payload: db.prepare<[number], { payload: Buffer }>('SELECT payload FROM events WHERE seq = ?'),
      retry: db.prepare<[number, number, number]>('UPDATE events SET attempts = ?, next_at = ? WHERE seq = ?'),
      remove: db.prepare<[number]>('DELETE FROM events WHERE seq = ?'),
      bury: db.prepare(
        `INSERT INTO dead_letters (id, function, qualifier, payload, enqueued_at, failed_at, attempts, condition, error_type, error_message)
         VALUES (@id, @function, @qualifier, @payload, @enqueued_at, @failed_at, @attempts, @condition, @error_type, @error_message)`),
      dead: db.prepare<[string, number, number], RawDead>('SELECT * FROM dead_letters WHERE function = ? AND seq > ? ORDER BY seq LIMIT ?'),
      deadCount: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM dead_letters WHERE function = ?'),
      deadCounts: db.prepare<[], { function: string; n: number }>('SELECT function, COUNT(*) AS n FROM dead_letters GROUP BY function'),
      dropOldest: db.prepare<[string, number]>(
        'DELETE FROM dead_letters WHERE seq IN (SELECT seq FROM dead_letters WHERE function = ? ORDER BY seq LIMIT ?)'),
      countDrops: db.prepare<[{ function: string; n: number }]>(
        'INSERT INTO dead_letter_drops (function, dropped) VALUES (@function, @n) ON CONFLICT (function) DO UPDATE SET dropped = dropped + @n'),
      drops: db.prepare<[], { function: string; dropped: number }>('SELECT function, dropped FROM dead_letter_drops'),
      // Copied in SQL: ten thousand payloads of 256 KB never pass through memory at once.
      unburyInto: db.prepare<[{ now: number; function: string }], { seq: number; id: string; function: string; qualifier: string }>(
        `INSERT INTO events (id, function, qualifier, payload, enqueued_at, attempts, next_at)
         SELECT id, function, qualifier, payload, @now, 0, @now FROM dead_letters WHERE function = @function ORDER BY seq
         RETURNING seq, id, function, qualifier`),
      forget: db.prepare<[string]>('DELETE FROM dead_letters WHERE function = ?'),
      forgetDrops: db.prepare<[string]>('DELETE FROM dead_letter_drops WHERE function = ?'),
    };
    // A lower limit than the last run's: trim now rather than at each function's next failure.
    db.transaction(() => {
      for (const { function: name } of this.s.deadCounts.all()) this.trim(name);
    })();
  }

  static open(path: string, options: AsyncQueueOptions = {}): SqliteAsyncQueue {
    const db = openSqlite(path, MIGRATIONS, { synchronous: 'FULL' });
    return new SqliteAsyncQueue(db, options.deadLetterLimit ?? DEFAULT_DEAD_LETTER_LIMIT);
  }

  pending(): Promise<QueuedEvent[]> {
    return this.read(() => this.s.all.all().map(fromRaw));
  }

  claim(event: QueuedEvent): Promise<Buffer | undefined> {
    return this.read(() => this.s.payload.get(event.seq)?.payload);
  }

  enqueue(event: NewEvent): Promise<QueuedEvent> {
    return this.write(() => this.insert(event, Date.now(), 0));
  }

  retry(event: QueuedEvent): Promise<void> {
    return this.write(() => void this.s.retry.run(event.attempts, event.nextAt, event.seq));
  }

  finish(event: QueuedEvent, outcome: FinishOutcome = {}): Promise<Finished> {
    return this.write(() => {
      let dropped = 0;
      const payload = outcome.deadLetter ? this.s.payload.get(event.seq)?.payload : undefined;
      this.s.remove.run(event.seq);
      if (outcome.deadLetter && payload) {
        const d = outcome.deadLetter;
        this.s.bury.run({
          id: event.id, function: event.functionName, qualifier: event.qualifier, payload, enqueued_at: event.enqueuedAt,
          failed_at: d.failedAt, attempts: d.attempts, condition: d.condition, error_type: d.errorType ?? null,
          error_message: d.errorMessage ?? null,
        });
        dropped = this.trim(event.functionName);
      }
      return { followUp: outcome.followUp ? this.insert(outcome.followUp, Date.now(), 0) : undefined, dropped };
    });
  }

  deadLetters(functionName: string, page: DeadLetterPageRequest = {}): Promise<DeadLetterPage> {
    return this.read(() => this.deadLetterPage(functionName, page));
  }

  private deadLetterPage(functionName: string, page: DeadLetterPageRequest): DeadLetterPage {
    const limit = Math.max(1, Math.min(page.limit ?? DEFAULT_DEAD_LETTER_PAGE, MAX_DEAD_LETTER_PAGE));
    const letters: DeadLetter[] = [];
    let bytes = 0;
    let more = false;
    for (const r of this.s.dead.iterate(functionName, page.after ?? 0, limit + 1)) {
      if (letters.length === limit || (letters.length > 0 && bytes > MAX_DEAD_LETTER_PAGE_BYTES)) {
        more = true;
        break;
      }
      bytes += r.payload.length + (r.error_message?.length ?? 0) + (r.error_type?.length ?? 0);
      letters.push({
        ...fromRaw(r), payload: r.payload, failedAt: r.failed_at, condition: r.condition,
        ...(r.error_type !== null ? { errorType: r.error_type } : {}),
        ...(r.error_message !== null ? { errorMessage: r.error_message } : {}),
      });
    }
    const last = letters.at(-1);
    return more && last ? { letters, next: last.seq } : { letters };
  }

  deadLetterCounts(): Promise<Map<string, number>> {
    return this.read(() => new Map(this.s.deadCounts.all().map((r) => [r.function, r.n])));
  }

  deadLetterDrops(): Promise<Map<string, number>> {
    return this.read(() => new Map(this.s.drops.all().map((r) => [r.function, r.dropped])));
  }

  redrive(functionName: string): Promise<QueuedEvent[]> {
    return this.write(() => {
      const now = Date.now();
      const events = this.s.unburyInto.all({ now, function: functionName }).map((r) => ({
        seq: r.seq, id: r.id, functionName: r.function, qualifier: r.qualifier, enqueuedAt: now, attempts: 0, nextAt: now, throttles: 0,
      }));
      this.s.forget.run(functionName);
      return events;
    });
  }

  forgetDeadLetters(functionName: string): Promise<void> {
    return this.write(() => {
      this.s.forget.run(functionName);
      this.s.forgetDrops.run(functionName);
    });
  }

  async close(): Promise<void> {
    this.flush();
    this.db.close();
  }

  /** A read answers from the last commit; its error (a closed database) rejects, never throws. */
  private read<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Drop the oldest letters of `functionName` past the cap; answers how many went. */
  private trim(functionName: string): number {
    const over = (this.s.deadCount.get(functionName)?.n ?? 0) - this.deadLetterLimit;
    if (over <= 0) return 0;
    this.s.dropOldest.run(functionName, over);
    this.s.countDrops.run({ function: functionName, n: over });
    return over;
  }

  private insert(event: NewEvent, now: number, attempts: number): QueuedEvent {
    const { lastInsertRowid } = this.s.insert.run(event.id, event.functionName, event.qualifier, event.payload, now, attempts, now);
    return {
      seq: Number(lastInsertRowid), id: event.id, functionName: event.functionName, qualifier: event.qualifier,
      enqueuedAt: now, attempts, nextAt: now, throttles: 0,
    };
  }

  /** Run `fn` in the next group transaction; resolves with its result once committed. */
  private write<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (!this.db.open) return reject(new Error('The async queue is closed.'));
      if (this.batch.length === 0) setImmediate(() => this.flush());
      this.batch.push({ run: fn, resolve: resolve as (v: unknown) => void, reject });
    });
  }

  private flush(): void {
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    if (!this.db.open) {
      for (const w of batch) w.reject(new Error('The async queue is closed.'));
      return;
    }
    const results: ({ value: unknown } | { error: unknown })[] = [];
    try {
      // Each write runs in a savepoint of its own (a nested transaction) and catches its own
      // error: a bad write is undone whole and never undoes the others; a failed commit fails them all.
      this.db.transaction(() => {
        for (const w of batch) {
          try {
            results.push({ value: this.db.transaction(w.run)() });
          } catch (error) {
            results.push({ error });
          }
        }
      })();
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => {
      const r = results[i]!;
      if ('error' in r) w.reject(r.error);
      else w.resolve(r.value);
    });
  }
}

function fromRaw(r: RawEvent): QueuedEvent {
  return {
    seq: r.seq, id: r.id, functionName: r.function, qualifier: r.qualifier, enqueuedAt: r.enqueued_at,
    attempts: r.attempts, nextAt: r.next_at, throttles: 0,
  };
}
