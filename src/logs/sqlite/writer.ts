// Writes batches into the store, one transaction per batch: events, their index blocks (up to
// BLOCK_EVENTS consecutive events of a group share one FTS row; schema.ts says why), the streams
// and groups they touch (created on their first event, as CloudWatch shows a stream once something
// was written to it), and invocation records. An invocation whose START, END and REPORT lines are
// all in the batch with its record keeps them in the record rather than as rows
// (platform-events.ts); they still take their event ids, times, index text and bytes.
import type Database from 'better-sqlite3';
import type { LogDatabase } from './schema.js';
import type { InvocationRecord, LogEvent, StreamInfo } from '../types.js';
import type { Batch } from '../write-queue.js';
import { errorKey } from '../normalise.js';
import { PlatformEvents } from './platform-events.js';
import { keptPlaces, placeKept } from '../platform-events.js';

interface StreamRef {
  readonly id: number;
  readonly groupId: number;
}

interface Touch {
  groupId: number;
  first: number;
  last: number;
  firstId: number;
  lastId: number;
  bytes: number;
}

/** Caches are bounded: a long-running server sees millions of requests and environments. */
const MAX_CACHED = 20_000;
const BLOCK_EVENTS = 64;
const BLOCK_CHARS = 64 * 1024;
/**
 * Events go in by statements of up to this many rows: SQLite's per-statement work and the call
 * into it are paid once per statement (measured 5.2 µs per row one by one, 3.7 at 8 per statement).
 */
const ROWS_PER_INSERT = 8;

/** An invocation's START, END and REPORT going into its record: where they are in the batch, their ids and times. */
interface Kept {
  readonly at: number[]; // START, END, REPORT: places in the batch
  readonly ids: number[];
  readonly ts: number[];
  groupId: number;
  streamId: number;
}

const START = 0;
const END = 1;
const REPORT = 2;

interface Block {
  first: number;
  last: number;
  texts: string[];
  chars: number;
}

export class Writer {
  private lastTs: number;
  private nextId: number;
  /** group → stream name → its rows' ids: keyed by the events' own strings, whose hashes V8 keeps. */
  private readonly streams = new Map<string, Map<string, StreamRef>>();
  private readonly requests = new Map<string, number>();
  private readonly infos = new Map<string, StreamInfo>();
  private readonly s: ReturnType<typeof statements>;
  private readonly inserts: Database.Statement[] = [];
  private readonly tx: (batch: Batch, now: number) => void;

  constructor(private readonly db: LogDatabase) {
    this.s = statements(db);
    const last = db.prepare('SELECT id, ts FROM log_events ORDER BY id DESC LIMIT 1').get() as { id: number; ts: number } | undefined;
    const kept = new PlatformEvents(db).bounds();
    this.nextId = Math.max(last?.id ?? 0, kept.hi ?? 0) + 1;
    this.lastTs = Math.max(last?.ts ?? 0, kept.hiTs ?? 0);
    this.tx = db.transaction((batch: Batch, now: number) => this.apply(batch, now));
  }

  /** Remember how an environment's stream is described; its row is made with its first event. */
  streamCreated(info: StreamInfo): void {
    bounded(this.infos).set(key(info.group, info.stream), info);
  }

  write(batch: Batch): void {
    if (batch.events.length === 0 && batch.records.length === 0) return;
    this.tx(batch, Date.now());
  }

  /** Rows were deleted behind the caches' back (DeleteLogGroup, retention). */
  forget(): void {
    this.streams.clear();
    this.requests.clear();
  }

  private apply(batch: Batch, now: number): void {
    const touched = new Map<number, Touch>();
    const blocks = new Map<number, Block>(); // group id → its open block
    const events = batch.events;
    const { byPlace, byRecord } = this.keptLines(batch);
    let args: unknown[] = [];
    let rows = 0;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const ref = this.stream(e, now);
      // Time order is id order: a clock stepping back must not put an event before older ones.
      const ts = Math.max(e.timestamp, this.lastTs);
      this.lastTs = ts;
      const id = this.nextId++;
      const k = byPlace.size > 0 ? byPlace.get(i) : undefined;
      if (k) {
        placeKept(k, i, id, ts, ref);
      } else {
        args.push(id, ref.groupId, ref.id, ts, now, e.requestId === undefined ? null : this.request(e.requestId), e.level ?? null, e.message);
        if (++rows === ROWS_PER_INSERT) {
          this.insertEvents(rows).run(args);
          args = [];
          rows = 0;
        }
      }
      this.placed(e, ref, ts, id, blocks, touched);
    }
    if (rows > 0) this.insertEvents(rows).run(args);
    for (const [groupId, block] of blocks) this.index(groupId, block);
    const groupBytes = new Map<number, number>();
    for (const [id, t] of touched) {
      this.s.touchStream.run(t.first, t.last, now, t.bytes, t.firstId, t.lastId, id);
      groupBytes.set(t.groupId, (groupBytes.get(t.groupId) ?? 0) + t.bytes);
    }
    for (const [id, bytes] of groupBytes) this.s.touchGroup.run(bytes, id);
    for (const r of batch.records) this.insertRecord(r, byRecord.get(r), events, now);
  }

  /** The invocations of this batch whose START, END and REPORT go into their records (../platform-events.ts), by place and by record. */
  private keptLines(batch: Batch): { byPlace: Map<number, Kept>; byRecord: Map<InvocationRecord, Kept> } {
    const byPlace = new Map<number, Kept>();
    const byRecord = new Map<InvocationRecord, Kept>();
    for (const [r, at] of keptPlaces(batch, (id) => this.newRequest(id))) {
      const k: Kept = { at: [...at], ids: [0, 0, 0], ts: [0, 0, 0], groupId: 0, streamId: 0 };
      for (const p of at) byPlace.set(p, k);
      byRecord.set(r, k);
    }
    return { byPlace, byRecord };
  }

  /** Index-block and stream bookkeeping for an event stored with `id`. */
  private placed(e: LogEvent, ref: StreamRef, ts: number, id: number, blocks: Map<number, Block>, touched: Map<number, Touch>): void {
    const block = blocks.get(ref.groupId);
    if (block && block.texts.length < BLOCK_EVENTS && block.chars + e.message.length <= BLOCK_CHARS) {
      block.last = id;
      block.texts.push(e.message);
      block.chars += e.message.length;
    } else {
      if (block) this.index(ref.groupId, block);
      blocks.set(ref.groupId, { first: id, last: id, texts: [e.message], chars: e.message.length });
    }
    const t = touched.get(ref.id);
    if (t) {
      t.last = ts;
      t.lastId = id;
      t.bytes += e.message.length;
    } else {
      touched.set(ref.id, { groupId: ref.groupId, first: ts, last: ts, firstId: id, lastId: id, bytes: e.message.length });
    }
  }

  /** The statement inserting `n` events (prepared once per n). */
  private insertEvents(n: number): Database.Statement {
    let stmt = this.inserts[n];
    if (!stmt) {
      const rows = Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
      stmt = this.db.prepare(`INSERT INTO log_events (id, group_id, stream_id, ts, ingested, request, level, message) VALUES ${rows}`);
      this.inserts[n] = stmt;
    }
    return stmt;
  }

  /** One FTS row for the block (explicitly, not by trigger: FTS5 inserts from a trigger cost ~5x more). */
  private index(groupId: number, block: Block): void {
    this.s.indexBlock.run(block.first, block.texts.join('\n'));
    this.s.insertBlock.run(block.first, groupId, block.last);
  }

  private insertRecord(r: InvocationRecord, k: Kept | undefined, events: LogEvent[], now: number): void {
    this.s.insertInvocation.run(
      this.request(r.requestId), r.functionName, r.version, r.envId ?? null, r.logStream ?? null, r.startedAt, r.cold ? 1 : 0,
      r.initMs ?? null, r.durationMs, r.billedMs, r.memoryMb, r.maxMemoryUsedMb ?? null, r.outcome,
      r.errorType ?? null, r.errorMessage ?? null, errorKey(r.errorMessage) ?? null,
      k ? k.groupId : null, k ? k.streamId : null, k ? now : null, k ? k.ids[START] : null, k ? k.ts[START] : null,
      k ? k.ids[END] : null, k ? k.ts[END] : null, k ? k.ids[REPORT] : null, k ? k.ts[REPORT] : null,
      k ? events[k.at[REPORT]]!.message : null,
    );
  }

  /** Whether the request is seen here for the first time (it gets its sequence number now). */
  private newRequest(requestId: string): boolean {
    return !this.requests.has(requestId) && this.addRequest(requestId).added;
  }

  /** The request's sequence number (requests.id), given on first sight. */
  private request(requestId: string): number {
    return this.requests.get(requestId) ?? this.addRequest(requestId).id;
  }

  private addRequest(requestId: string): { id: number; added: boolean } {
    const inserted = this.s.insertRequest.run(requestId);
    const added = inserted.changes === 1;
    const id = added ? Number(inserted.lastInsertRowid) : (this.s.findRequest.get(requestId) as number);
    bounded(this.requests).set(requestId, id);
    return { id, added };
  }

  private stream(e: LogEvent, now: number): StreamRef {
    let inGroup = this.streams.get(e.group);
    const known = inGroup?.get(e.stream);
    if (known) return known;
    const k = key(e.group, e.stream);
    let groupId = this.s.findGroup.get(e.group) as number | undefined;
    if (groupId === undefined) groupId = Number(this.s.insertGroup.run(e.group, now).lastInsertRowid);
    let streamId = this.s.findStream.get(groupId, e.stream) as number | undefined;
    if (streamId === undefined) {
      const info = this.infos.get(k);
      this.infos.delete(k);
      const fn = info?.functionName ?? (e.group.startsWith('/aws/lambda/') ? e.group.slice(12) : null);
      const version = info?.version ?? /\[([^\]]+)\]/.exec(e.stream)?.[1] ?? null;
      streamId = Number(this.s.insertStream.run(groupId, e.stream, info?.envId ?? e.envId, fn, version, info?.createdAt ?? e.timestamp).lastInsertRowid);
    }
    const ref = { id: streamId, groupId };
    if (!inGroup) {
      inGroup = new Map();
      bounded(this.streams).set(e.group, inGroup);
    }
    bounded(inGroup).set(e.stream, ref);
    return ref;
  }
}

function key(group: string, stream: string): string {
  return `${group}\n${stream}`;
}

/** The map, with its oldest entry dropped when full (Maps iterate in insertion order). */
function bounded<K, V>(map: Map<K, V>): Map<K, V> {
  if (map.size >= MAX_CACHED) map.delete(map.keys().next().value as K);
  return map;
}

function statements(db: LogDatabase) {
  const p = (sql: string): Database.Statement => db.prepare(sql);
  return {
    indexBlock: p('INSERT INTO log_fts (rowid, messages) VALUES (?, ?)'),
    insertBlock: p('INSERT INTO log_blocks (first_id, group_id, last_id) VALUES (?, ?, ?)'),
    touchStream: p(`UPDATE log_streams SET first_event = coalesce(first_event, ?), last_event = ?, last_ingestion = ?,
                      stored_bytes = stored_bytes + ?, first_id = coalesce(first_id, ?), last_id = ? WHERE id = ?`),
    touchGroup: p('UPDATE log_groups SET stored_bytes = stored_bytes + ? WHERE id = ?'),
    findGroup: p('SELECT id FROM log_groups WHERE name = ?').pluck(),
    insertGroup: p('INSERT INTO log_groups (name, created_at) VALUES (?, ?)'),
    findStream: p('SELECT id FROM log_streams WHERE group_id = ? AND name = ?').pluck(),
    insertStream: p('INSERT INTO log_streams (group_id, name, env_id, function_name, version, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
    insertRequest: p('INSERT INTO requests (request_id) VALUES (?) ON CONFLICT (request_id) DO NOTHING'),
    findRequest: p('SELECT id FROM requests WHERE request_id = ?').pluck(),
    // A retried request (async retries keep the request id): the record is the latest attempt's,
    // and the lines its first attempt kept in it stay.
    insertInvocation: p(`INSERT INTO invocations (id, function_name, version, env_id, stream, started_at, cold, init_ms,
                           duration_ms, billed_ms, memory_mb, max_memory_mb, outcome, error_type, error_message, error_key,
                           group_id, stream_id, logged_at, start_event, start_ts, end_event, end_ts, report_event, report_ts, report)
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                         ON CONFLICT (id) DO UPDATE SET function_name = excluded.function_name, version = excluded.version,
                           env_id = excluded.env_id, stream = excluded.stream, started_at = excluded.started_at, cold = excluded.cold,
                           init_ms = excluded.init_ms, duration_ms = excluded.duration_ms, billed_ms = excluded.billed_ms,
                           memory_mb = excluded.memory_mb, max_memory_mb = excluded.max_memory_mb, outcome = excluded.outcome,
                           error_type = excluded.error_type, error_message = excluded.error_message, error_key = excluded.error_key`),
  };
}
