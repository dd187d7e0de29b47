// Writes one batch in one transaction: the streams and groups it touches (created on their first
// event, as CloudWatch shows a stream once something was written to it), its events, their index
// blocks, and its invocation records — each kind by one statement over arrays (unnest), so that a
// batch of 2,000 events costs about a dozen round trips, not thousands. An invocation whose START,
// END and REPORT are all in the batch with its record keeps them in the record rather than as rows
// (../platform-events.ts); they still take their event ids, times, index words and bytes.
//
// Ids and times (schema.ts (1)): the batch takes its ids from log_clock under a transaction-scoped
// advisory lock, clamping timestamps so that they never decrease along ids; the lock is held to
// the commit, so batches of every node commit in id order. The same lock guards what must not
// interleave with a batch: deleting a group, dropping a stream (groups.ts, retention.ts).
import { prepared, type Queryable } from '../../database/index.js';
import type { InvocationRecord, LogEvent, StreamInfo } from '../types.js';
import type { Batch } from '../write-queue.js';
import { errorKey } from '../normalise.js';
import { cutRecord } from '../record-limits.js';
import { BlockWords } from './words.js';
import { keptPlaces, placeKept } from '../platform-events.js';

/** The advisory lock's key (pg_advisory_xact_lock): the log store's writers take turns on it. */
export const WRITE_LOCK = 0x6c6f6773; // 'logs'
const BLOCK_EVENTS = 64;
const BLOCK_CHARS = 64 * 1024;
/** A block spans at most this many ids (its group's events and others' between): text-search.ts relies on it. */
export const BLOCK_SPAN = 4096;
const MAX_INFOS = 20_000;

interface StreamRef {
  readonly id: number;
  readonly groupId: number;
}

interface Block {
  readonly groupId: number;
  readonly first: number;
  last: number;
  count: number;
  chars: number;
  readonly words: BlockWords;
}

interface Touch {
  first: number;
  last: number;
  firstId: number;
  lastId: number;
  bytes: number;
}

/** An invocation's START, END and REPORT going into its record: their places in the batch, ids and times. */
interface Kept {
  readonly at: readonly [number, number, number];
  readonly ids: [number, number, number];
  readonly ts: [number, number, number];
  groupId: number;
  streamId: number;
  report: string;
}

export class Writer {
  private readonly infos = new Map<string, StreamInfo>();

  /** Remember how an environment's stream is described; its row is made with its first event. */
  streamCreated(info: StreamInfo): void {
    if (this.infos.size >= MAX_INFOS) this.infos.delete(this.infos.keys().next().value!);
    this.infos.set(key(info.group, info.stream), info);
  }

  async write(db: { transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> }, batch: Batch): Promise<void> {
    if (batch.events.length === 0 && batch.records.length === 0) return;
    const now = Date.now();
    await db.transaction(async (tx) => {
      // The commit need not wait for its WAL to reach the disk (synchronous_commit off, this
      // transaction only): a crash of the database may lose the last moments of logs, as a power
      // cut may on SQLite (synchronous=NORMAL), never their order or consistency.
      await tx.query(LOCK, [WRITE_LOCK]);
      if (batch.events.length > 0) await this.writeEvents(tx, batch, now);
      else await writeRecords(tx, batch.records, now);
    });
    for (const e of batch.events) this.infos.delete(key(e.group, e.stream));
  }

  private async writeEvents(tx: Queryable, batch: Batch, now: number): Promise<void> {
    const events = batch.events;
    const streams = await this.streams(tx, events, now);
    const [clock] = await tx.query<{ next_id: number; last_ts: number }>(CLOCK);
    let nextId = clock!.next_id;
    let lastTs = clock!.last_ts;
    // A request's lines kept once per batch (a request already stored, a retry, is told by
    // writeRecords); not with NUL in its id, which TEXT cannot hold exactly.
    const seen = new Set<string>();
    const isNew = (id: string): boolean => !id.includes('\u0000') && !seen.has(id) && Boolean(seen.add(id));
    const kept = new Map<string, Kept>();
    const byPlace = new Map<number, Kept>();
    for (const [r, at] of keptPlaces(batch, isNew)) {
      const k: Kept = { at, ids: [0, 0, 0], ts: [0, 0, 0], groupId: 0, streamId: 0, report: events[at[2]]!.message };
      kept.set(r.requestId, k);
      for (const p of at) byPlace.set(p, k);
    }
    const ids: number[] = new Array(events.length);
    const stamps: number[] = new Array(events.length);
    const refs: StreamRef[] = new Array(events.length);
    const blocks: Block[] = [];
    const open = new Map<number, Block>();
    const touched = new Map<number, Touch>();
    const groupBytes = new Map<number, number>();
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const ref = streams.get(key(e.group, e.stream))!;
      // Time order is id order: a clock stepping back must not put an event before older ones.
      const ts = Math.max(e.timestamp, lastTs);
      lastTs = ts;
      const id = nextId++;
      ids[i] = id;
      stamps[i] = ts;
      refs[i] = ref;
      const k = byPlace.size > 0 ? byPlace.get(i) : undefined;
      if (k) placeKept(k, i, id, ts, ref);
      let block = open.get(ref.groupId);
      if (!block || block.count >= BLOCK_EVENTS || block.chars + e.message.length > BLOCK_CHARS || id - block.first >= BLOCK_SPAN) {
        block = { groupId: ref.groupId, first: id, last: id, count: 0, chars: 0, words: new BlockWords() };
        open.set(ref.groupId, block);
        blocks.push(block);
      }
      block.last = id;
      block.count++;
      block.chars += e.message.length;
      block.words.add(e.message);
      const t = touched.get(ref.id);
      if (t) {
        t.last = ts;
        t.lastId = id;
        t.bytes += e.message.length;
      } else {
        touched.set(ref.id, { first: ts, last: ts, firstId: id, lastId: id, bytes: e.message.length });
      }
      groupBytes.set(ref.groupId, (groupBytes.get(ref.groupId) ?? 0) + e.message.length);
    }
    // One row per event as a JSON array: JSON.stringify is native, where array parameters are
    // escaped element by element in JavaScript (measured: a third less CPU on this thread per
    // event). A line meant for its record is not among them: it becomes a row only if its request
    // turns out to be stored already (a retry keeps its first attempt's lines), and STORE_BATCH
    // then makes it from the record, which holds everything of it.
    const rows: unknown[][] = [];
    for (let i = 0; i < events.length; i++) {
      if (byPlace.size > 0 && byPlace.has(i)) continue;
      const e = events[i]!;
      const nul = e.message.includes('\u0000');
      rows.push([ids[i], refs[i]!.groupId, refs[i]!.id, stamps[i], e.requestId === undefined ? null : noNul(e.requestId), e.level ?? null,
        nul ? e.message.replaceAll('\u0000', '') : e.message, nul ? `\\x${Buffer.from(e.message).toString('hex')}` : null]);
    }
    const t = [...touched];
    const g = [...groupBytes];
    await tx.query(STORE_BATCH, [
      recordRows(batch.records, kept, now), JSON.stringify(rows), now,
      blocks.map((b) => b.first), blocks.map((b) => b.last), blocks.map((b) => b.groupId), blocks.map((b) => b.words.text()),
      t.map(([id]) => id), t.map(([, v]) => v.first), t.map(([, v]) => v.last), t.map(([, v]) => v.bytes), t.map(([, v]) => v.firstId), t.map(([, v]) => v.lastId),
      g.map(([id]) => id), g.map(([, b]) => b), nextId, lastTs,
    ]);
  }

  /** The batch's streams by group and name, made where missing (with their groups). */
  private async streams(tx: Queryable, events: readonly LogEvent[], now: number): Promise<Map<string, StreamRef>> {
    const firsts = new Map<string, LogEvent>();
    for (const e of events) {
      const k = key(e.group, e.stream);
      if (!firsts.has(k)) firsts.set(k, e);
    }
    const list = [...firsts.values()];
    const groups = list.map((e) => e.group);
    const names = list.map((e) => e.stream);
    const find = async () => new Map((await tx.query<{ g: string; s: string; id: number; group_id: number }>(FIND_STREAMS, [groups, names]))
      .map((r): [string, StreamRef] => [key(r.g, r.s), { id: r.id, groupId: r.group_id }]));
    // Mostly every stream of a batch exists already: one statement. Else make the missing ones.
    const found = await find();
    if (found.size === list.length) return found;
    const missing = list.filter((e) => !found.has(key(e.group, e.stream)));
    await tx.query(`INSERT INTO log_groups (name, created_at) SELECT DISTINCT g, $2::bigint FROM unnest($1::text[]) AS g
                    ON CONFLICT (name) DO NOTHING`, [missing.map((e) => e.group), now]);
    const infos = missing.map((e) => this.infos.get(key(e.group, e.stream)));
    await tx.query(`INSERT INTO log_streams (group_id, name, env_id, function_name, version, created_at)
                    SELECT g.id, x.s, x.env, x.fn, x.ver, x.at
                    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) AS x(g, s, env, fn, ver, at)
                    JOIN log_groups g ON g.name = x.g
                    ON CONFLICT (group_id, name) DO NOTHING`, [
      missing.map((e) => e.group), missing.map((e) => e.stream),
      missing.map((e, i) => infos[i]?.envId ?? e.envId),
      missing.map((e, i) => infos[i]?.functionName ?? (e.group.startsWith('/aws/lambda/') ? e.group.slice(12) : null)),
      missing.map((e, i) => infos[i]?.version ?? /\[([^\]]+)\]/.exec(e.stream)?.[1] ?? null),
      missing.map((e, i) => infos[i]?.createdAt ?? e.timestamp),
    ]);
    return find();
  }
}

/** A batch of records alone (no events): one statement. */
async function writeRecords(tx: Queryable, records: readonly InvocationRecord[], now: number): Promise<void> {
  await tx.query(RECORDS_ALONE, [recordRows(records, new Map(), now)]);
}

/**
 * The records as JSON rows ($1 of INSERT_RECORDS), with the lines kept in them; a request written
 * twice in the batch is written once, as its latest attempt.
 */
function recordRows(given: readonly InvocationRecord[], kept: ReadonlyMap<string, Kept>, now: number): string {
  const latest = new Map<string, InvocationRecord>();
  for (const r of given) latest.set(r.requestId, cutRecord(r));
  const text = (v: string | undefined) => (v === undefined ? null : noNul(v));
  const rows: unknown[][] = [];
  for (const r of latest.values()) {
    const k = kept.get(r.requestId);
    rows.push([
      noNul(r.requestId), noNul(r.functionName), noNul(r.version), text(r.envId), text(r.logStream), r.startedAt, r.cold, r.initMs ?? null,
      r.durationMs, r.billedMs, r.memoryMb, r.maxMemoryUsedMb ?? null, r.outcome, text(r.errorType), text(r.errorMessage), text(errorKey(r.errorMessage)),
      k ? k.groupId : null, k ? k.streamId : null, k ? now : null, k ? k.ids[0] : null, k ? k.ts[0] : null, k ? k.ids[1] : null,
      k ? k.ts[1] : null, k ? k.ids[2] : null, k ? k.ts[2] : null, k ? noNul(k.report) : null,
    ]);
  }
  return JSON.stringify(rows);
}

/**
 * Records from $1 (recordRows); a request written again (an async retry keeps its request id)
 * keeps its place (seq) and its first attempt's kept lines, and takes the latest attempt's fields.
 */
const INSERT_RECORDS = `INSERT INTO log_invocations (request_id, function_name, version, env_id, stream, started_at, cold, init_ms, duration_ms,
    billed_ms, memory_mb, max_memory_mb, outcome, error_type, error_message, error_key, group_id, stream_id, logged_at,
    start_event, start_ts, end_event, end_ts, report_event, report_ts, report)
  SELECT x->>0, x->>1, x->>2, x->>3, x->>4, (x->>5)::bigint, (x->>6)::boolean, (x->>7)::float8, (x->>8)::float8, (x->>9)::bigint,
    (x->>10)::int, (x->>11)::int, x->>12, x->>13, x->>14, x->>15, (x->>16)::bigint, (x->>17)::bigint, (x->>18)::bigint,
    (x->>19)::bigint, (x->>20)::bigint, (x->>21)::bigint, (x->>22)::bigint, (x->>23)::bigint, (x->>24)::bigint, x->>25
  FROM jsonb_array_elements($1::jsonb) AS x
  ON CONFLICT (request_id) DO UPDATE SET function_name = excluded.function_name, version = excluded.version,
    env_id = excluded.env_id, stream = excluded.stream, started_at = excluded.started_at, cold = excluded.cold,
    init_ms = excluded.init_ms, duration_ms = excluded.duration_ms, billed_ms = excluded.billed_ms,
    memory_mb = excluded.memory_mb, max_memory_mb = excluded.max_memory_mb, outcome = excluded.outcome,
    error_type = excluded.error_type, error_message = excluded.error_message, error_key = excluded.error_key`;

/**
 * Everything a batch with events stores, in one statement (a round trip and a plan instead of
 * six): its records ($1; `xmax <> 0` marks a row this statement updated rather than inserted — a
 * request stored before, whose kept lines here are then rows, made from the record's fields: the
 * texts of START and END (../platform-lines.ts) and REPORT's, their ids and times; only then is $1
 * read a second time), its events ($2, with $3 the time of ingestion), their blocks ($4-$7), the
 * streams' and groups' bookkeeping ($8-$15), the clock ($16, $17).
 */
const STORE_BATCH = `WITH w AS (${INSERT_RECORDS} RETURNING request_id, xmax <> 0 AS updated),
  e AS (INSERT INTO log_events (id, group_id, stream_id, ts, ingested, request_id, level, message, message_bytes)
    SELECT (x->>0)::bigint, (x->>1)::bigint, (x->>2)::bigint, (x->>3)::bigint, $3::bigint, x->>4, x->>5, x->>6, (x->>7)::bytea
    FROM jsonb_array_elements($2::jsonb) AS x
    UNION ALL
    SELECT v.id, (x->>16)::bigint, (x->>17)::bigint, v.ts, $3::bigint, x->>0, 'PLATFORM', v.message, NULL
    FROM (SELECT x FROM jsonb_array_elements($1::jsonb) AS x WHERE EXISTS (SELECT 1 FROM w WHERE updated)) AS r
      CROSS JOIN LATERAL (VALUES ((x->>19)::bigint, (x->>20)::bigint, 'START RequestId: ' || (x->>0) || ' Version: ' || (x->>2)),
        ((x->>21)::bigint, (x->>22)::bigint, 'END RequestId: ' || (x->>0)), ((x->>23)::bigint, (x->>24)::bigint, x->>25)) AS v(id, ts, message)
    WHERE x->>19 IS NOT NULL AND x->>0 IN (SELECT request_id FROM w WHERE updated)),
  b AS (INSERT INTO log_blocks (first_id, last_id, group_id, words)
    SELECT f, l, g, CASE WHEN w IS NULL THEN NULL ELSE array_to_tsvector(string_to_array(w, ' ')) END
    FROM unnest($4::bigint[], $5::bigint[], $6::bigint[], $7::text[]) AS x(f, l, g, w)),
  s AS (UPDATE log_streams s SET first_event = coalesce(s.first_event, x.f), last_event = x.l, last_ingestion = $3,
      stored_bytes = s.stored_bytes + x.b, first_id = coalesce(s.first_id, x.fi), last_id = x.li
    FROM unnest($8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[]) AS x(id, f, l, b, fi, li)
    WHERE s.id = x.id),
  g AS (UPDATE log_groups SET stored_bytes = stored_bytes + x.b FROM unnest($14::bigint[], $15::bigint[]) AS x(id, b)
    WHERE log_groups.id = x.id)
UPDATE log_clock SET next_id = $16, last_ts = $17`;

const LOCK = prepared('logs_write_lock', "SELECT pg_advisory_xact_lock($1), set_config('synchronous_commit', 'off', true)");
const CLOCK = prepared('logs_write_clock', 'SELECT next_id, last_ts FROM log_clock');
const FIND_STREAMS = prepared('logs_write_streams', `SELECT x.g, x.s, s.id, s.group_id FROM unnest($1::text[], $2::text[]) AS x(g, s)
  JOIN log_groups g ON g.name = x.g JOIN log_streams s ON s.group_id = g.id AND s.name = x.s`);
const RECORDS_ALONE = prepared('logs_write_records', `${INSERT_RECORDS} RETURNING request_id`);
prepared('logs_write_batch', STORE_BATCH);

/** TEXT cannot hold NUL: in a record's fields (a summary) it shows as U+FFFD. */
function noNul(s: string): string {
  return s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s;
}

function key(group: string, stream: string): string {
  return `${group}\n${stream}`;
}
