// The AsyncQueue (async-queue.ts) on PostgreSQL, for several nodes sharing one database. Each
// statement commits before its promise resolves (enqueue: durable before the 202). finish, redrive
// and forgetting a function's letters are transactions; those that touch a function's dead
// letters take a transaction-scoped advisory lock on the function first, so that concurrent
// finishes count the cap's drops exactly and a redrive never deletes a letter it did not copy.
//
// Claims: claim() marks the event as this node's (`node`) for a lease (claimLeaseMs, 20 minutes by
// default: longer than the longest function timeout, 15 minutes) with FOR UPDATE SKIP LOCKED, so a
// claim never waits behind another node's: it answers "taken" at once. retry and close give the
// claim back; a node that died keeps it until the lease ends, or until it restarts with the same
// `node` name and takes its own claims again. Times are the node's clock (ms since the epoch):
// nodes' clocks are assumed to agree within seconds, far less than the lease.
//
// Written against a minimal Queryable (the shape of database/postgres.ts's Postgres), not against
// `pg`: the pool, its timeouts and the migration runner are database/'s. The caller applies
// ASYNC_QUEUE_MIGRATIONS before open().
import {
  DEFAULT_DEAD_LETTER_LIMIT, DEFAULT_DEAD_LETTER_PAGE, MAX_DEAD_LETTER_PAGE, MAX_DEAD_LETTER_PAGE_BYTES,
  type AsyncQueue, type AsyncQueueOptions, type DeadLetter, type DeadLetterOutcome, type DeadLetterPage,
  type DeadLetterPageRequest, type FinishOutcome, type Finished, type NewEvent, type QueuedEvent,
} from './async-queue.js';

/** What a statement runs on: the pool, or one connection inside a transaction. */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface PostgresDatabase extends Queryable {
  /** Run `work` in one transaction on one connection: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
}

export interface PostgresAsyncQueueOptions extends AsyncQueueOptions {
  /** This node's name, the same across its restarts (it takes its own claims back at start). */
  readonly node: string;
  readonly claimLeaseMs?: number;
}

export const DEFAULT_CLAIM_LEASE_MS = 20 * 60_000;

/** The key space of the advisory locks (the second key is the function name's hash). */
const LOCK_SPACE = 0x61737971; // 'asyq'

const EVENT_COLUMNS = 'seq, id, function, qualifier, enqueued_at, attempts, next_at';

// BIGINT columns arrive as strings from a plain pg pool and as numbers from database/'s: Number() either way.
interface RawEvent {
  seq: string | number; id: string; function: string; qualifier: string;
  enqueued_at: string | number; attempts: number; next_at: string | number;
}

interface RawDead extends RawEvent {
  payload: Buffer; failed_at: string | number; condition: string; error_type: string | null; error_message: string | null;
}

export class PostgresAsyncQueue implements AsyncQueue {
  private closed = false;
  /** Enqueues of this tick, written by one statement (group commit: one commit for many 202s). */
  private batch: { event: NewEvent; resolve: (e: QueuedEvent) => void; reject: (err: unknown) => void }[] = [];

  private constructor(private readonly db: PostgresDatabase, readonly deadLetterLimit: number, private readonly node: string, private readonly leaseMs: number) {}

  /** Open the queue on a migrated database; a lower cap than the last run's is applied now. */
  static async open(db: PostgresDatabase, options: PostgresAsyncQueueOptions): Promise<PostgresAsyncQueue> {
    const q = new PostgresAsyncQueue(db, options.deadLetterLimit ?? DEFAULT_DEAD_LETTER_LIMIT, options.node, options.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS);
    const over = await db.query<{ function: string }>('SELECT function FROM async_dead_letters GROUP BY function HAVING count(*) > $1', [q.deadLetterLimit]);
    for (const { function: name } of over) {
      await db.transaction(async (tx) => {
        await lockFunction(tx, name);
        await q.trim(tx, name);
      });
    }
    return q;
  }

  async pending(): Promise<QueuedEvent[]> {
    this.check();
    // Not the events another live node has claimed: they are its to run.
    const rows = await this.db.query<RawEvent>(
      `SELECT ${EVENT_COLUMNS} FROM async_events WHERE claimed_by IS NULL OR claimed_by = $1 OR claimed_until < $2 ORDER BY next_at, seq`,
      [this.node, Date.now()]);
    return rows.map(fromRaw);
  }

  async enqueue(event: NewEvent): Promise<QueuedEvent> {
    this.check();
    return new Promise<QueuedEvent>((resolve, reject) => {
      if (this.batch.length === 0) setImmediate(() => void this.flush());
      this.batch.push({ event, resolve, reject });
    });
  }

  async claim(event: QueuedEvent): Promise<Buffer | undefined> {
    this.check();
    const now = Date.now();
    const [row] = await this.db.query<{ payload: Buffer }>(
      `WITH free AS (
         SELECT seq FROM async_events
         WHERE seq = $1 AND (claimed_by IS NULL OR claimed_by = $2 OR claimed_until < $3)
         FOR UPDATE SKIP LOCKED)
       UPDATE async_events e SET claimed_by = $2, claimed_until = $4 FROM free WHERE e.seq = free.seq
       RETURNING e.payload`,
      [event.seq, this.node, now, now + this.leaseMs]);
    return row?.payload;
  }

  async retry(event: QueuedEvent): Promise<void> {
    this.check();
    await this.db.query('UPDATE async_events SET attempts = $1, next_at = $2, claimed_by = NULL, claimed_until = NULL WHERE seq = $3',
      [event.attempts, event.nextAt, event.seq]);
  }

  async finish(event: QueuedEvent, outcome: FinishOutcome = {}): Promise<Finished> {
    this.check();
    // Without a dead letter, one statement (atomic by itself): the common case costs one round trip.
    if (!outcome.deadLetter) {
      if (!outcome.followUp) {
        await this.db.query('DELETE FROM async_events WHERE seq = $1', [event.seq]);
        return { dropped: 0 };
      }
      const followUp = await insert(this.db, outcome.followUp, Date.now(), `WITH gone AS (DELETE FROM async_events WHERE seq = $6) `, [event.seq]);
      return { followUp, dropped: 0 };
    }
    return this.db.transaction(async (tx) => {
      await lockFunction(tx, event.functionName);
      const [gone] = await tx.query<{ payload: Buffer }>('DELETE FROM async_events WHERE seq = $1 RETURNING payload', [event.seq]);
      let dropped = 0;
      if (outcome.deadLetter && gone) {
        await bury(tx, event, gone.payload, outcome.deadLetter);
        dropped = await this.trim(tx, event.functionName);
      }
      const followUp = outcome.followUp ? await insert(tx, outcome.followUp, Date.now()) : undefined;
      return followUp ? { followUp, dropped } : { dropped };
    });
  }

  async deadLetters(functionName: string, page: DeadLetterPageRequest = {}): Promise<DeadLetterPage> {
    this.check();
    const limit = Math.max(1, Math.min(page.limit ?? DEFAULT_DEAD_LETTER_PAGE, MAX_DEAD_LETTER_PAGE));
    const after = page.after ?? 0;
    // Sizes first: a page of a thousand 256 KB letters never comes over the wire only to be cut.
    const sizes = await this.db.query<{ seq: string | number; bytes: string | number }>(
      `SELECT seq, octet_length(payload) + coalesce(octet_length(error_type), 0) + coalesce(octet_length(error_message), 0) AS bytes
       FROM async_dead_letters WHERE function = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [functionName, after, limit + 1]);
    let count = 0;
    let bytes = 0;
    for (const s of sizes) {
      if (count === limit || (count > 0 && bytes > MAX_DEAD_LETTER_PAGE_BYTES)) break;
      bytes += Number(s.bytes);
      count++;
    }
    if (count === 0) return { letters: [] };
    const last = Number(sizes[count - 1]!.seq);
    const rows = await this.db.query<RawDead>(
      'SELECT * FROM async_dead_letters WHERE function = $1 AND seq > $2 AND seq <= $3 ORDER BY seq', [functionName, after, last]);
    const letters = rows.map(deadFromRaw);
    return count < sizes.length ? { letters, next: last } : { letters };
  }

  async deadLetterCounts(): Promise<Map<string, number>> {
    this.check();
    const rows = await this.db.query<{ function: string; n: string | number }>('SELECT function, count(*) AS n FROM async_dead_letters GROUP BY function');
    return new Map(rows.map((r) => [r.function, Number(r.n)]));
  }

  async deadLetterDrops(): Promise<Map<string, number>> {
    this.check();
    const rows = await this.db.query<{ function: string; dropped: string | number }>('SELECT function, dropped FROM async_dead_letter_drops');
    return new Map(rows.map((r) => [r.function, Number(r.dropped)]));
  }

  async redrive(functionName: string): Promise<QueuedEvent[]> {
    this.check();
    return this.db.transaction(async (tx) => {
      await lockFunction(tx, functionName);
      const now = Date.now();
      // Copied in SQL: ten thousand payloads of 256 KB never pass through this process.
      const rows = await tx.query<RawEvent>(
        `INSERT INTO async_events (id, function, qualifier, payload, enqueued_at, attempts, next_at)
         SELECT id, function, qualifier, payload, $2::bigint, 0, $2::bigint FROM async_dead_letters WHERE function = $1 ORDER BY seq
         RETURNING ${EVENT_COLUMNS}`, [functionName, now]);
      await tx.query('DELETE FROM async_dead_letters WHERE function = $1', [functionName]);
      return rows.map(fromRaw).sort((a, b) => a.seq - b.seq);
    });
  }

  async forgetDeadLetters(functionName: string): Promise<void> {
    this.check();
    await this.db.transaction(async (tx) => {
      await lockFunction(tx, functionName);
      await tx.query('DELETE FROM async_dead_letters WHERE function = $1', [functionName]);
      await tx.query('DELETE FROM async_dead_letter_drops WHERE function = $1', [functionName]);
    });
  }

  /**
   * Keep a dead letter of an event that is not in async_events (a cluster's events are in
   * JetStream): in one transaction with the cap's trim; answers how many of the oldest went.
   */
  async keepDeadLetter(event: QueuedEvent, payload: Buffer, outcome: DeadLetterOutcome): Promise<number> {
    this.check();
    return this.db.transaction(async (tx) => {
      await lockFunction(tx, event.functionName);
      await bury(tx, event, payload, outcome);
      return this.trim(tx, event.functionName);
    });
  }

  /**
   * Redrive into somewhere else (a cluster's stream): `move` gets the function's letters a page at
   * a time, oldest first, and must have them durable when it resolves; they are deleted in the same
   * transaction, so a failed move leaves every letter in place (a failed commit after a move
   * leaves them twice: at least once).
   */
  async moveDeadLetters<T>(functionName: string, move: (letters: DeadLetter[]) => Promise<T[]>): Promise<T[]> {
    this.check();
    return this.db.transaction(async (tx) => {
      await lockFunction(tx, functionName);
      const moved: T[] = [];
      for (let after = 0; ;) {
        const rows = await tx.query<RawDead>('SELECT * FROM async_dead_letters WHERE function = $1 AND seq > $2 ORDER BY seq LIMIT 100', [functionName, after]);
        if (rows.length === 0) break;
        moved.push(...await move(rows.map(deadFromRaw)));
        after = Number(rows[rows.length - 1]!.seq);
      }
      await tx.query('DELETE FROM async_dead_letters WHERE function = $1', [functionName]);
      return moved;
    });
  }

  /** Give this node's claims back (another node may run them now); the pool is the caller's to end. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flush();
    await this.db.query('UPDATE async_events SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = $1', [this.node]);
  }

  /** Write this tick's enqueues in one INSERT; each caller gets its own event (or the error). */
  private async flush(): Promise<void> {
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    const now = Date.now();
    try {
      // Rows go in in the batch's order, so their seqs (nextval, row by row) ascend in that order too.
      const rows = await this.db.query<{ seq: string | number }>(
        `INSERT INTO async_events (id, function, qualifier, payload, enqueued_at, attempts, next_at)
         SELECT id, fn, qualifier, payload, $5::bigint, 0, $5::bigint
         FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[]) WITH ORDINALITY AS t(id, fn, qualifier, payload, n)
         ORDER BY n RETURNING seq`,
        [batch.map((b) => b.event.id), batch.map((b) => b.event.functionName), batch.map((b) => b.event.qualifier), batch.map((b) => b.event.payload), now]);
      const seqs = rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
      if (seqs.length !== batch.length) throw new Error(`the async queue stored ${seqs.length} of ${batch.length} events`);
      batch.forEach(({ event, resolve }, i) => { resolve(queued(event, seqs[i]!, now)); });
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }

  private check(): void {
    if (this.closed) throw new Error('The async queue is closed.');
  }

  /** Drop the oldest letters of `functionName` past the cap (its lock held); answers how many went. */
  private async trim(tx: Queryable, functionName: string): Promise<number> {
    const [row] = await tx.query<{ n: string | number }>('SELECT count(*) AS n FROM async_dead_letters WHERE function = $1', [functionName]);
    const over = Number(row?.n ?? 0) - this.deadLetterLimit;
    if (over <= 0) return 0;
    await tx.query('DELETE FROM async_dead_letters WHERE seq IN (SELECT seq FROM async_dead_letters WHERE function = $1 ORDER BY seq LIMIT $2)',
      [functionName, over]);
    await tx.query(`INSERT INTO async_dead_letter_drops (function, dropped) VALUES ($1, $2)
                    ON CONFLICT (function) DO UPDATE SET dropped = async_dead_letter_drops.dropped + $2`, [functionName, over]);
    return over;
  }
}

/** Serialise the transactions that change one function's dead letters (until commit). */
async function lockFunction(tx: Queryable, functionName: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_SPACE, functionName]);
}

/** Insert one event; `before` (a WITH clause) and its parameters ($6…) run in the same statement. */
async function insert(on: Queryable, event: NewEvent, now: number, before = '', more: readonly unknown[] = []): Promise<QueuedEvent> {
  const [row] = await on.query<{ seq: string | number }>(
    `${before}INSERT INTO async_events (id, function, qualifier, payload, enqueued_at, attempts, next_at) VALUES ($1, $2, $3, $4, $5, 0, $5) RETURNING seq`,
    [event.id, event.functionName, event.qualifier, event.payload, now, ...more]);
  return queued(event, Number(row!.seq), now);
}

function queued(event: NewEvent, seq: number, now: number): QueuedEvent {
  return { seq, id: event.id, functionName: event.functionName, qualifier: event.qualifier, enqueuedAt: now, attempts: 0, nextAt: now, throttles: 0 };
}

async function bury(tx: Queryable, event: QueuedEvent, payload: Buffer, d: DeadLetterOutcome): Promise<void> {
  await tx.query(
    `INSERT INTO async_dead_letters (id, function, qualifier, payload, enqueued_at, failed_at, attempts, condition, error_type, error_message)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [event.id, event.functionName, event.qualifier, payload, event.enqueuedAt, d.failedAt, d.attempts, d.condition, d.errorType ?? null, d.errorMessage ?? null]);
}

function fromRaw(r: RawEvent): QueuedEvent {
  return {
    seq: Number(r.seq), id: r.id, functionName: r.function, qualifier: r.qualifier, enqueuedAt: Number(r.enqueued_at),
    attempts: r.attempts, nextAt: Number(r.next_at), throttles: 0,
  };
}

function deadFromRaw(r: RawDead): DeadLetter {
  return {
    ...fromRaw(r), payload: r.payload, failedAt: Number(r.failed_at), attempts: r.attempts, condition: r.condition,
    ...(r.error_type !== null ? { errorType: r.error_type } : {}),
    ...(r.error_message !== null ? { errorMessage: r.error_message } : {}),
  };
}
