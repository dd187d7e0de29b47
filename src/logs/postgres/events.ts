// Reading events back from PostgreSQL. A group's read walks event ids upwards (= time order) from
// a cursor, a chunk per query: through the candidate blocks of the full-text index when the filter
// pattern lets it narrow (schema.ts (2)), else through the group's own index; the platform lines
// kept in invocation records are merged in by id (platform-events.ts); each event is checked
// exactly here (filter-pattern.ts). A read stops at its limit, at 1 MB of messages, or
// after MAX_SCAN_MS — and then says where to go on, as CloudWatch's nextToken does.
//
// Every read first takes the newest id given out (log_clock) and reads no further: a batch that
// commits meanwhile has later ids (writer.ts), so "read up to here" is exact for a follower.
import type { Postgres } from '../../database/index.js';
import type { StoredEvent } from '../views.js';
import type { ScanQuery, ScanResult } from '../event-scan.js';
import { tsQuery } from './words.js';
import { infixCondition, infixPatterns } from './infix.js';
import { BLOCK_SPAN } from './writer.js';
import { merged, mergedAsync } from '../platform-events.js';
import { PgPlatformEvents } from './platform-events.js';

export type { ScanQuery, ScanResult } from '../event-scan.js';

export interface EventRow {
  id: number; ts: number; ingested: number; stream_id: number; name: string; env_id: string | null;
  request_id: string | null; level: string | null; message: string; message_bytes: Buffer | null;
}

export const EVENT_COLUMNS = `e.id, e.ts, e.ingested, e.stream_id, s.name, s.env_id, e.request_id, e.level, e.message, e.message_bytes`;
/** Stream names by join (a stream of a deleted group has no row: its events are not read anyway). */
const FROM = 'log_events e LEFT JOIN log_streams s ON s.id = e.stream_id';
const MAX_SCAN_MS = 100;
const CHUNK_EVENTS = 1000;
const CHUNK_BLOCKS = 64;
const MAX_RESPONSE_CHARS = 1024 * 1024;
export const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;

export class PgEventReader {
  /** Whether the trigram index of infix.ts is there (set once the store is open). */
  infix = false;
  readonly platform: PgPlatformEvents;

  constructor(private readonly db: Postgres) {
    this.platform = new PgPlatformEvents(db);
  }

  /** The id of the newest event given out (every id up to it is committed or never will be). */
  async newestId(): Promise<number> {
    const [row] = await this.db.query<{ next_id: number }>('SELECT next_id FROM log_clock');
    return row!.next_id - 1;
  }

  /** The first id stamped at or after ts; the next id to be given when none is. */
  async firstIdAtOrAfter(ts: number): Promise<number> {
    const [row] = await this.db.query<{ id: number }>('SELECT log_first_id_at($1) AS id', [ts]);
    return row!.id;
  }

  /** The id range (after, before) of a time range, as exclusive bounds. */
  async idRange(startTime: number | undefined, endTime: number | undefined): Promise<{ after: number; before: number }> {
    return {
      after: startTime === undefined ? 0 : (await this.firstIdAtOrAfter(startTime)) - 1,
      before: endTime === undefined ? NO_UPPER_BOUND : await this.firstIdAtOrAfter(endTime),
    };
  }

  async scan(q: ScanQuery): Promise<ScanResult> {
    const newest = await this.newestId();
    const range = await this.idRange(q.startTime, q.endTime);
    const before = Math.min(range.before, newest + 1);
    const after = Math.max(range.after, q.afterId ?? 0);
    if (after + 1 >= before) return { events: [], next: undefined, position: Math.max(after, q.afterId ?? 0) };
    const page = new Page(q, after);
    const ts = tsQuery(q.pattern?.words);
    // Candidate blocks: by whole words (the full-text index), and by text inside words (infix.ts).
    const blockParams: unknown[] = [];
    const blockWhere: string[] = [];
    if (ts !== undefined) blockWhere.push(`words @@ $${3 + blockParams.push(ts)}::tsquery`);
    const likes = this.infix ? infixPatterns(q.pattern?.contains) : [];
    if (likes.length > 0) blockWhere.push(infixCondition(likes, '$1', (like) => `$${3 + blockParams.push(like)}`));
    const filters: string[] = [];
    const params: unknown[] = [q.groupId, 0, before];
    if (q.streamIds) filters.push(`e.stream_id = ANY($${params.push(q.streamIds)}::bigint[])`);
    if (q.levels) filters.push(`e.level = ANY($${params.push(q.levels)}::text[])`);
    const where = ['e.group_id = $1', 'e.id > $2', 'e.id < $3', ...filters].join(' AND ');
    const platform = q.levels === undefined || q.levels.includes('PLATFORM');
    if (blockWhere.length === 0) {
      const stored = this.chunks(`SELECT ${EVENT_COLUMNS} FROM ${FROM} WHERE ${where} ORDER BY e.id LIMIT ${CHUNK_EVENTS}`, params, after);
      const rows = platform ? mergedAsync(stored, this.platform.range({ after, before, group: q.groupId, streams: q.streamIds })) : stored;
      let n = 0;
      for await (const row of rows) {
        if (page.take(row) || ((++n & 255) === 0 && page.spent())) return page.result();
      }
    } else {
      for (;;) {
        // The next candidate blocks (a group's blocks never overlap), then their events.
        const blocks = await this.db.query<{ first_id: number; last_id: number; group_id: number }>(
          `SELECT first_id, last_id, group_id FROM log_blocks WHERE group_id = $1 AND first_id > $2::bigint - ${BLOCK_SPAN} AND last_id > $2
             AND first_id < $3 AND ((${blockWhere.join(' AND ')}) OR words IS NULL)
           ORDER BY first_id LIMIT ${CHUNK_BLOCKS}`, [q.groupId, page.last, before, ...blockParams]);
        if (blocks.length === 0) break;
        const lastBlock = blocks[blocks.length - 1]!.last_id;
        params[1] = page.last;
        const n = params.length;
        // A range scan per block (LATERAL; OFFSET 0 keeps the planner from flattening it into one
        // scan of every id between the bounds, filtered by the blocks: a second on 1,000,000 events).
        const [stored, kept] = await Promise.all([
          this.db.query<EventRow>(
            `SELECT ${EVENT_COLUMNS} FROM unnest($${n + 1}::bigint[], $${n + 2}::bigint[]) AS b(f, l)
               CROSS JOIN LATERAL (SELECT * FROM log_events e WHERE e.id BETWEEN b.f AND b.l AND ${where} OFFSET 0) e
               LEFT JOIN log_streams s ON s.id = e.stream_id
             ORDER BY e.id`,
            [...params, blocks.map((b) => b.first_id), blocks.map((b) => b.last_id)]),
          platform ? this.platform.inBlocks(blocks, page.last, before, q.streamIds) : [],
        ]);
        for (const row of merged(stored.values(), kept.values())) {
          if (page.take(row)) return page.result();
        }
        page.last = Math.max(page.last, Math.min(lastBlock, before - 1));
        if (page.spent()) return page.result();
      }
    }
    // Read to the end: nothing up to the newest event (within the range) is left to see.
    return { events: page.events, next: undefined, position: Math.max(after, before - 1) };
  }

  /** A query's rows a chunk at a time, its $2 the id after which the next chunk starts. */
  private async *chunks(sql: string, params: unknown[], after: number): AsyncGenerator<EventRow, void, undefined> {
    const p = [...params];
    p[1] = after;
    for (;;) {
      const rows = await this.db.query<EventRow>(sql, p);
      yield* rows;
      if (rows.length < CHUNK_EVENTS) return;
      p[1] = rows[rows.length - 1]!.id;
    }
  }

  /** One stream's events in id order (or newest first) within (afterId, beforeId), for GetLogEvents. */
  async streamPage(q: { streamId: number; afterId: number; beforeId: number; newestFirst: boolean; limit: number }): Promise<StoredEvent[]> {
    const before = Math.min(q.beforeId, NO_UPPER_BOUND);
    const [rows, [span]] = await Promise.all([
      this.db.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM ${FROM} WHERE e.stream_id = $1 AND e.id > $2 AND e.id < $3
         ORDER BY e.id ${q.newestFirst ? 'DESC' : ''} LIMIT $4`, [q.streamId, q.afterId, before, q.limit]),
      this.db.query<{ group_id: number; first_id: number | null; last_id: number | null }>(
        'SELECT group_id, first_id, last_id FROM log_streams WHERE id = $1', [q.streamId]),
    ]);
    // Its kept lines through its group's index, within the ids the stream spans (null: not known).
    const kept = span === undefined ? (async function* () {})() : this.platform.range({
      after: Math.max(q.afterId, (span.first_id ?? 0) - 1), before: Math.min(before, (span.last_id ?? NO_UPPER_BOUND - 1) + 1),
      group: span.group_id, streams: [q.streamId], newestFirst: q.newestFirst,
    });
    const events: StoredEvent[] = [];
    let chars = 0;
    for await (const row of mergedAsync(fromArray(rows), kept, q.newestFirst)) {
      events.push(view(row));
      chars += row.message.length;
      if (events.length >= q.limit || chars >= MAX_RESPONSE_CHARS) break;
    }
    return events;
  }

  /** One request's events, of groups not deleted, in order: up to `limit` after `afterId`, at most 1 MB. */
  async byRequest(requestId: string, afterId: number, limit: number): Promise<{ events: StoredEvent[]; more: boolean }> {
    const [stored, kept] = await Promise.all([
      this.db.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM ${FROM} JOIN log_groups g ON g.id = e.group_id
         WHERE e.request_id = $1 AND e.id > $2 ORDER BY e.id LIMIT $3`, [requestId, afterId, limit + 1]),
      this.platform.ofRequest(requestId, afterId),
    ]);
    const events: StoredEvent[] = [];
    let chars = 0;
    for (const row of merged(stored.values(), kept.values())) {
      if (events.length >= limit || (events.length > 0 && chars + row.message.length > MAX_RESPONSE_CHARS)) return { events, more: true };
      events.push(view(row));
      chars += row.message.length;
    }
    return { events, more: false };
  }

  /** The time of the first event, stored or kept, with an id ≥ id; the newest time given out when there is none. */
  async tsAtOrAfter(id: number): Promise<number> {
    const [[row], kept] = await Promise.all([
      this.db.query<{ ts: number }>('SELECT coalesce((SELECT ts FROM log_events WHERE id >= $1 ORDER BY id LIMIT 1), (SELECT last_ts FROM log_clock)) AS ts', [id]),
      this.platform.tsAtOrAfter(id),
    ]);
    return kept === null ? row!.ts : Math.min(row!.ts, kept);
  }
}

async function* fromArray<T>(rows: readonly T[]): AsyncGenerator<T, void, undefined> {
  yield* rows;
}

/** The message as it was written (schema.ts (3)). */
export function messageOf(row: { message: string; message_bytes: Buffer | null }): string {
  return row.message_bytes === null ? row.message : row.message_bytes.toString('utf8');
}

export function view(row: EventRow): StoredEvent {
  return {
    eventId: String(row.id),
    timestamp: row.ts,
    ingestionTime: row.ingested,
    logStream: row.name ?? '',
    envId: row.env_id ?? undefined,
    requestId: row.request_id ?? undefined,
    level: row.level ?? undefined,
    message: messageOf(row),
  };
}

/** One page of a scan: the events kept so far, where the scan got to, and its budgets. */
class Page {
  readonly events: StoredEvent[] = [];
  last: number;
  private chars = 0;
  private readonly started = performance.now();

  constructor(private readonly q: ScanQuery, after: number) {
    this.last = after;
  }

  spent(): boolean {
    return performance.now() - this.started > MAX_SCAN_MS;
  }

  /** Take a row if it matches (rows come in id order); true when the page is full. */
  take(row: EventRow): boolean {
    this.last = row.id;
    const message = messageOf(row);
    if (this.q.pattern && !this.q.pattern.test(message)) return false;
    this.events.push(view(row));
    this.chars += message.length;
    return this.events.length >= this.q.limit || this.chars >= MAX_RESPONSE_CHARS;
  }

  result(): ScanResult {
    return { events: this.events, next: this.last, position: this.last };
  }
}
