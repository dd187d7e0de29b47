// Reading events back. Every read walks event ids upwards (= time order) from a cursor: through
// the FTS index's candidate blocks when the filter pattern lets it narrow, else through the
// group's own index; the platform lines kept in invocation records are merged in by id
// (platform-events.ts); each candidate event is checked exactly in JS. A read stops at its limit, at 1 MB of messages, or after
// MAX_SCAN_MS — and then says where to go on, as CloudWatch's nextToken does — so no query holds
// the server's event loop for long, whatever the pattern.
import type Database from 'better-sqlite3';
import type { LogDatabase } from './schema.js';
import type { StoredEvent } from '../views.js';
import type { ScanQuery, ScanResult } from '../event-scan.js';
import { TimeIndex } from './time-index.js';
import { ftsQuery } from './fts-query.js';
import { InfixIndex, infixQuery } from './infix-index.js';
import { merged, PlatformEvents, type EventRow } from './platform-events.js';

export type { ScanQuery, ScanResult } from '../event-scan.js';

export interface StreamPageQuery {
  readonly streamId: number;
  readonly afterId: number; // exclusive
  readonly beforeId: number; // exclusive
  readonly newestFirst: boolean;
  readonly limit: number;
}

type Row = EventRow;

// The request id comes by join: one B-tree probe inside SQLite, cheaper than a lookup from JS.
const COLUMNS = 'e.id, e.group_id, e.stream_id, e.ts, e.ingested, e.request, r.request_id, e.level, e.message';
const REQUEST = 'LEFT JOIN requests r ON r.id = e.request';
const MAX_SCAN_MS = 50;
/** Ids per statement of a scan that checks text in SQL (~10 ms of instr() on a busy machine). */
const CONTAINS_WINDOW = 20_000;
/** Pattern work (weight × characters) between two looks at the clock: about a millisecond's. */
export const WORK_PER_LOOK = 256 * 1024;
/** CloudWatch answers at most 1 MB of events per call. */
const MAX_RESPONSE_CHARS = 1024 * 1024;
export const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;

export class EventReader {
  readonly time: TimeIndex;
  /** Text inside words, indexed while the store is idle (infix-index.ts). */
  readonly infix: InfixIndex;
  private readonly platform: PlatformEvents;
  private readonly scans = new Map<string, Database.Statement>();
  private readonly streamNames = new Map<number, { name: string; envId: string | undefined }>();
  private readonly s: ReturnType<typeof statements>;

  constructor(private readonly db: LogDatabase) {
    this.platform = new PlatformEvents(db);
    this.time = new TimeIndex(db, this.platform);
    this.s = statements(db);
    // A block's text, in any order (a trigram index keeps no positions).
    this.infix = new InfixIndex(db, (group, first, last) => {
      const texts = this.s.blockMessages.all(group, first, last) as string[];
      for (const r of this.platform.range({ after: first - 1, before: last + 1, group })) texts.push(r.message);
      return texts.join('\n');
    });
  }

  /** The id range [after, before) of a time range, as exclusive bounds. */
  idRange(startTime: number | undefined, endTime: number | undefined): { after: number; before: number } {
    return {
      after: startTime === undefined ? 0 : this.time.firstIdAtOrAfter(startTime) - 1,
      before: endTime === undefined ? NO_UPPER_BOUND : this.time.firstIdAtOrAfter(endTime),
    };
  }

  scan(q: ScanQuery): ScanResult {
    const range = this.idRange(q.startTime, q.endTime);
    const after = Math.max(range.after, q.afterId ?? 0);
    if (after + 1 >= range.before) return { events: [], next: undefined, position: after };
    const page = new Page(q, after);
    const fts = ftsQuery(q.pattern?.words);
    const contains = q.pattern?.contains?.[0];
    if (fts === undefined && contains !== undefined) {
      // Text the word index cannot find (a fragment of a word): candidate blocks of the trigram
      // index as far as it has got, then SQLite checks the rest in the scan itself,
      // CONTAINS_WINDOW ids at a time, so that the clock is looked at even when nothing matches.
      const infix = infixQuery(q.pattern?.contains);
      if (infix !== undefined && this.infix.upto > page.last) {
        const upto = Math.min(this.infix.upto, range.before - 1);
        const from = (this.s.blockAt.get(q.groupId, after + 1) as number | null) ?? 0;
        for (const b of this.infix.candidates(infix, q.groupId, from, range.before)) {
          if (page.spent()) return page.result();
          if (b.last <= page.last) continue;
          const inBlock = this.groupEvents(q, Math.max(page.last, b.first - 1), Math.min(b.last + 1, range.before));
          if (page.read(inBlock, (r) => this.view(r))) return page.result();
        }
        // Every event of the group up to `upto` lies in a block indexed: those not read do not match.
        page.last = Math.max(page.last, upto);
      }
      const end = Math.min(range.before, this.maxId() + 1); // the range may be open-ended
      for (let lo = page.last; lo < end - 1; lo += CONTAINS_WINDOW) {
        if (page.outOfTime()) return page.result();
        const hi = Math.min(end, lo + CONTAINS_WINDOW + 1);
        if (page.read(this.groupEvents(q, Math.max(lo, page.last), hi, contains), (r) => this.view(r))) return page.result();
        page.last = Math.max(page.last, hi - 1);
      }
    } else if (fts === undefined) {
      if (page.read(this.groupEvents(q, after, range.before), (r) => this.view(r))) return page.result();
    } else {
      // Candidate blocks in order, from the one holding the cursor; then their events, checked one by one.
      const from = (this.s.blockAt.get(q.groupId, after + 1) as number | null) ?? 0;
      for (const b of this.s.blocks.iterate({ fts, from, before: range.before, group: q.groupId }) as IterableIterator<{ first: number; last: number }>) {
        if (page.spent()) return page.result();
        if (b.last <= page.last) continue;
        const inBlock = this.groupEvents(q, Math.max(page.last, b.first - 1), Math.min(b.last + 1, range.before));
        if (page.read(inBlock, (r) => this.view(r))) return page.result();
      }
    }
    // Read to the end: nothing up to the newest event (within the range) is left to see.
    return { events: page.events, next: undefined, position: Math.max(after, Math.min(this.maxId(), range.before - 1)) };
  }

  /** The id of the newest event. */
  maxId(): number {
    return Math.max((this.s.maxId.get() as number | null) ?? 0, this.platform.bounds().hi ?? 0);
  }

  /** One stream's events in id order (or newest first), for GetLogEvents. */
  streamPage(q: StreamPageQuery): StoredEvent[] {
    const stmt = q.newestFirst ? this.s.streamDesc : this.s.streamAsc;
    const stored = stmt.iterate(q.streamId, q.afterId, q.beforeId, q.limit) as IterableIterator<Row>;
    // Its kept lines through its group's index, within the ids the stream spans (null: not known).
    const span = this.s.streamSpan.get(q.streamId) as { group_id: number; first_id: number | null; last_id: number | null } | undefined;
    const kept = this.platform.range({
      after: Math.max(q.afterId, (span?.first_id ?? 0) - 1), before: Math.min(q.beforeId, (span?.last_id ?? NO_UPPER_BOUND - 1) + 1),
      group: span?.group_id, streams: [q.streamId], newestFirst: q.newestFirst,
    });
    const events: StoredEvent[] = [];
    let chars = 0;
    for (const row of merged(stored, kept, q.newestFirst)) {
      events.push(this.view(row));
      chars += row.message.length;
      if (events.length >= q.limit || chars >= MAX_RESPONSE_CHARS) break;
    }
    return events;
  }

  /**
   * One request's events, wherever it ran, in order: up to `limit` after `afterId`, and at most
   * 1 MB of messages; `more` says a next page (after the last event given) has some.
   */
  byRequest(requestId: string, afterId = 0, limit = 10_000): { events: StoredEvent[]; more: boolean } | undefined {
    const seq = this.requestSeq(requestId);
    if (seq === undefined) return undefined;
    const stored = this.s.byRequest.iterate(seq, afterId, limit + 1) as IterableIterator<Row>;
    const kept = this.platform.ofRequest(seq).filter((e) => e.id > afterId);
    const events: StoredEvent[] = [];
    let chars = 0;
    for (const row of merged(stored, kept.values())) {
      if (events.length >= limit || (events.length > 0 && chars + row.message.length > MAX_RESPONSE_CHARS)) return { events, more: true };
      events.push(this.view(row));
      chars += row.message.length;
    }
    return { events, more: false };
  }

  requestSeq(requestId: string): number | undefined {
    return this.s.requestSeq.get(requestId) as number | undefined;
  }

  /** A group's events, stored and kept, in id order within (after, before), optionally of some streams / levels. */
  private groupEvents(q: ScanQuery, after: number, before: number, contains?: string): IterableIterator<Row> {
    const params = {
      group: q.groupId, after, before, streams: JSON.stringify(q.streamIds ?? []), levels: JSON.stringify(q.levels ?? []), contains: contains ?? '',
    };
    const stored = this.groupStatement(q.streamIds !== undefined, q.levels !== undefined, contains !== undefined).iterate(params) as IterableIterator<Row>;
    if (q.levels !== undefined && !q.levels.includes('PLATFORM')) return stored;
    return merged(stored, this.platform.range({ after, before, group: q.groupId, streams: q.streamIds }));
  }

  /** A group's stored events in id order within (after, before), optionally of some streams / levels. */
  private groupStatement(streams: boolean, levels: boolean, contains = false): Database.Statement {
    const k = `${streams}/${levels}/${contains}`;
    let stmt = this.scans.get(k);
    if (stmt) return stmt;
    const where: string[] = ['e.group_id = @group', 'e.id > @after', 'e.id < @before'];
    if (streams) where.push('e.stream_id IN (SELECT value FROM json_each(@streams))');
    if (levels) where.push('e.level IN (SELECT value FROM json_each(@levels))');
    if (contains) where.push('instr(e.message, @contains) > 0');
    stmt = this.db.prepare(`SELECT ${COLUMNS} FROM log_events e INDEXED BY log_events_group ${REQUEST} WHERE ${where.join(' AND ')} ORDER BY e.id`);
    this.scans.set(k, stmt);
    return stmt;
  }

  private view(row: Row): StoredEvent {
    const stream = this.stream(row.stream_id);
    return {
      eventId: String(row.id),
      timestamp: row.ts,
      ingestionTime: row.ingested,
      logStream: stream.name,
      envId: stream.envId,
      requestId: row.request_id ?? undefined,
      level: row.level ?? undefined,
      message: row.message,
    };
  }

  private stream(id: number): { name: string; envId: string | undefined } {
    let s = this.streamNames.get(id);
    if (!s) {
      const row = this.s.stream.get(id) as { name: string; env_id: string | null } | undefined;
      s = { name: row?.name ?? '', envId: row?.env_id ?? undefined };
      if (this.streamNames.size > 10_000) this.streamNames.clear();
      this.streamNames.set(id, s);
    }
    return s;
  }
}

/** One page of a scan: the events kept so far, where the scan got to, and its budgets. */
class Page {
  readonly events: StoredEvent[] = [];
  last: number;
  private chars = 0;
  private scanned = 0;
  private work = 0;
  private stopped = false;
  private readonly started = performance.now();

  constructor(private readonly q: ScanQuery, after: number) {
    this.last = after;
  }

  /**
   * Out of time (checked every few hundred rows or blocks, or once the pattern's work since the
   * last look — its weight × the characters it tested — is large: one hostile regex over long
   * lines costs milliseconds a row).
   */
  /** Out of time, looking at the clock now. */
  outOfTime(): boolean {
    if (!this.stopped && this.clock()) this.stopped = true;
    return this.stopped;
  }

  spent(): boolean {
    if (((++this.scanned & 255) === 0 || this.work > WORK_PER_LOOK) && this.clock()) this.stopped = true;
    return this.stopped;
  }

  private clock(): boolean {
    this.work = 0;
    return performance.now() - this.started > MAX_SCAN_MS;
  }

  /** Take matching rows; true when the page is full or out of time. */
  read(rows: IterableIterator<Row>, view: (r: Row) => StoredEvent): boolean {
    for (const row of rows) {
      if (this.spent()) return true;
      this.last = row.id;
      if (this.q.pattern) {
        this.work += this.q.pattern.weight * row.message.length;
        if (!this.q.pattern.test(row.message)) continue;
      }
      this.events.push(view(row));
      this.chars += row.message.length;
      if (this.events.length >= this.q.limit || this.chars >= MAX_RESPONSE_CHARS) {
        this.stopped = true;
        return true;
      }
    }
    return false;
  }

  result(): ScanResult {
    return { events: this.events, next: this.last, position: this.last };
  }
}

function statements(db: LogDatabase) {
  return {
    stream: db.prepare('SELECT name, env_id FROM log_streams WHERE id = ?'),
    blockMessages: db.prepare('SELECT message FROM log_events INDEXED BY log_events_group WHERE group_id = ? AND id >= ? AND id <= ?').pluck(),
    streamSpan: db.prepare('SELECT group_id, first_id, last_id FROM log_streams WHERE id = ?'),
    maxId: db.prepare('SELECT max(id) FROM log_events').pluck(),
    blockAt: db.prepare('SELECT max(first_id) FROM log_blocks WHERE group_id = ? AND first_id <= ?').pluck(),
    // CROSS JOIN keeps the FTS index as the outer loop: it yields blocks in rowid order, from the cursor on.
    blocks: db.prepare(`SELECT log_fts.rowid AS first, b.last_id AS last FROM log_fts CROSS JOIN log_blocks b ON b.first_id = log_fts.rowid
                        WHERE log_fts MATCH @fts AND log_fts.rowid >= @from AND log_fts.rowid < @before AND b.group_id = @group
                        ORDER BY log_fts.rowid`),
    requestSeq: db.prepare('SELECT id FROM requests WHERE request_id = ?').pluck(),
    // Joined with the groups so that events of a deleted group (purged later) stay invisible.
    byRequest: db.prepare(`SELECT ${COLUMNS} FROM log_events e JOIN log_groups g ON g.id = e.group_id ${REQUEST}
                           WHERE e.request = ? AND e.id > ? ORDER BY e.id LIMIT ?`),
    streamAsc: db.prepare(`SELECT ${COLUMNS} FROM log_events e INDEXED BY log_events_stream ${REQUEST}
                           WHERE e.stream_id = ? AND e.id > ? AND e.id < ? ORDER BY e.id LIMIT ?`),
    streamDesc: db.prepare(`SELECT ${COLUMNS} FROM log_events e INDEXED BY log_events_stream ${REQUEST}
                            WHERE e.stream_id = ? AND e.id > ? AND e.id < ? ORDER BY e.id DESC LIMIT ?`),
  };
}
