// The explorer's free-text filter, from the log side: events matching a filter pattern walked
// newest first (through the FTS index's blocks when the pattern lets it narrow, else event by
// event), each request met for the first time handed to the caller, who looks its invocation
// record up and checks the other filters. The walk stops as soon as the page is certain, so a
// common word costs about one page of invocations and a rare one a few index probes — instead of
// a pass over every invocation record of the range (seconds at a million).
//
// "Certain": a page is ordered by the invocations' start, not by their log lines' time. A request
// logs at or after it starts (SKEW_MS allows for a clock step), so once every matching event after
// time T has been met, no invocation not yet met started after T + SKEW_MS. The FTS index yields
// blocks by their first event id, but a block's later events may lie past the next blocks' firsts
// (blocks of several groups interleave within one write batch): "every event after T" is settled
// by also reading the blocks that straddle T (settle()).
import type Database from 'better-sqlite3';
import type { CompiledPattern } from '../filter-pattern.js';
import type { LogDatabase } from './schema.js';
import type { TimeIndex } from './time-index.js';
import { merged, type EventRow, type PlatformEvents } from './platform-events.js';
import { WORK_PER_LOOK } from './event-reader.js';
import { ftsQuery } from './fts-query.js';

/** What the walk reads of an event (its statements select no more). */
type WalkRow = Pick<EventRow, 'id' | 'ts' | 'group_id' | 'request' | 'message'>;

export interface TextFilter {
  readonly pattern: CompiledPattern;
  /** Only this log group's events (the function's group); else every group's. */
  readonly groupId?: number;
}

/** An accepted invocation: its request sequence (requests.id = invocations.id) and start. */
export interface Candidate {
  readonly seq: number;
  readonly startedAt: number;
}

export interface WalkQuery {
  /** Events at or after this time. */
  readonly since?: number;
  /** Events before this time; undefined for up to the newest. */
  readonly until?: number;
  /** Keep `limit` + 1 (the +1 says that more follow). */
  readonly limit: number;
  /** The request's invocation when it passes the other filters, else undefined. */
  readonly accept: (seq: number) => Candidate | undefined;
  /**
   * Past this performance.now(), stop and answer what is certain, with where to go on — but only
   * once the walk is below `progressBelow` (the cursor's time), so that a next page moves on.
   */
  readonly deadline: number;
  readonly progressBelow?: number;
}

export interface WalkResult {
  /** Newest first; up to limit + 1. */
  readonly found: Candidate[];
  /** Set when the walk stopped at its deadline: the page continues with invocations started before this. */
  readonly resumeBefore?: number;
}

/** How much earlier than its start a request's log line may be stamped (a clock step). */
export const SKEW_MS = 1000;
/** A write batch spans at most this many event ids (store.ts writes ≤ 2,000 events per transaction). */
const MAX_BATCH_IDS = 65_536;

export class TextSearch {
  private readonly s: ReturnType<typeof statements>;

  constructor(db: LogDatabase, private readonly platform: PlatformEvents, private readonly time: TimeIndex) {
    this.s = statements(db);
  }

  /** The walk, a step (a block, or 64 events) per `next()`, so that a caller can run another beside it. */
  *walk(filter: TextFilter, q: WalkQuery): Generator<void, WalkResult, void> {
    const after = q.since === undefined ? 0 : this.time.firstIdAtOrAfter(q.since) - 1;
    const before = q.until === undefined ? Number.MAX_SAFE_INTEGER : this.time.firstIdAtOrAfter(q.until);
    // Events of a deleted group stay in the table until the sweep purges them: only live groups count.
    const groups = this.s.groups.all() as number[];
    const walk = new Walk(filter, q, new Set(filter.groupId === undefined ? groups : groups.filter((g) => g === filter.groupId)));
    const fts = ftsQuery(filter.pattern.words);
    if (after + 1 >= before || walk.live.size === 0) return { found: [] };
    if (fts === undefined) {
      const stored = (filter.groupId === undefined
        ? this.s.eventsDesc.iterate({ after, before })
        : this.s.groupEventsDesc.iterate({ group: filter.groupId, after, before })) as IterableIterator<WalkRow>;
      const kept = this.platform.range({ after, before, group: filter.groupId, newestFirst: true });
      let n = 0;
      for (const e of merged(stored, kept, true)) {
        walk.take(e);
        // Event by event, the position is exact: nothing straddles it.
        if ((++n & 63) === 0 || walk.heavy()) {
          const done = walk.check(e.id, e.ts, () => undefined);
          if (done) return done;
          yield;
        }
      }
      return walk.all();
    }
    const blocks = filter.groupId === undefined
      ? this.s.blocksDesc.iterate({ fts, after: after - MAX_BATCH_IDS, before })
      : this.s.groupBlocksDesc.iterate({ fts, after: after - MAX_BATCH_IDS, before, group: filter.groupId });
    const settle = (id: number) => {
      for (const b of this.s.straddling.all({ id, lowest: id - MAX_BATCH_IDS }) as { first: number; last: number; group_id: number }[]) {
        if (!walk.live.has(b.group_id)) continue;
        this.readBlock(walk, b.group_id, Math.max(id, after + 1), Math.min(b.last, before - 1));
      }
    };
    for (const b of blocks as IterableIterator<{ first: number; last: number; group_id: number }>) {
      if (b.last <= after) continue; // a block of an older batch, met while looking for straddlers
      if (!walk.live.has(b.group_id)) continue;
      // A block holds at most 64 KB of lines (or one longer line): the pattern's work per step is bounded.
      const firstTs = this.readBlock(walk, b.group_id, Math.max(b.first, after + 1), Math.min(b.last, before - 1));
      if (b.first <= after) continue;
      const done = walk.check(b.first, firstTs ?? this.tsOf(b.first), settle);
      if (done) return done;
      yield;
    }
    return walk.all();
  }

  /** The events first..last of a group, newest first, into the walk; the ts of `first` if read. */
  private readBlock(walk: Walk, group: number, first: number, last: number): number | undefined {
    if (first > last) return undefined;
    let firstTs: number | undefined;
    const stored = this.s.blockEvents.iterate({ group, first, last }) as IterableIterator<WalkRow>;
    const kept = this.platform.range({ after: first - 1, before: last + 1, group, newestFirst: true });
    for (const e of merged(stored, kept, true)) {
      walk.take(e);
      if (e.id === first) firstTs = e.ts;
    }
    return firstTs;
  }

  private tsOf(id: number): number {
    const stored = this.s.atOrAfter.get(id) as { id: number; ts: number } | undefined;
    const kept = this.platform.firstAtOrAfter(id, stored?.id ?? Number.MAX_SAFE_INTEGER);
    return (kept ?? stored)?.ts ?? Number.MAX_SAFE_INTEGER;
  }
}

/** The state of one walk: requests met, invocations accepted, and when to stop. */
class Walk {
  readonly found: Candidate[] = [];
  private readonly met = new Set<number>();
  /** The pattern's work since heavy() last said yes (event-reader.ts's WORK_PER_LOOK). */
  private work = 0;
  /** Found changed since the threshold was computed. */
  dirty = false;
  private threshold = Number.NEGATIVE_INFINITY;

  constructor(private readonly filter: TextFilter, private readonly q: WalkQuery, readonly live: ReadonlySet<number>) {}

  take(e: WalkRow): void {
    if (e.request === null || this.met.has(e.request) || !this.live.has(e.group_id)) return;
    this.work += this.filter.pattern.weight * e.message.length;
    if (!this.filter.pattern.test(e.message)) return;
    this.met.add(e.request);
    const c = this.q.accept(e.request);
    if (c) {
      this.found.push(c);
      this.dirty = true;
    }
  }

  /** The pattern has done enough work since the last yes that the caller should look at its clock. */
  heavy(): boolean {
    if (this.work <= WORK_PER_LOOK) return false;
    this.work = 0;
    return true;
  }

  /**
   * The walk has met every matching event from `id` (stamped `ts`) on, up to whatever straddles
   * it (`settle` reads that): the result when the page is certain or the deadline is past.
   */
  check(id: number, ts: number, settle: (id: number) => void): WalkResult | undefined {
    const limit = this.q.limit;
    if (this.found.length > limit) {
      if (this.dirty) {
        sort(this.found);
        this.dirty = false;
        this.threshold = this.found[limit]!.startedAt - SKEW_MS;
      }
      if (ts < this.threshold) {
        settle(id);
        return this.all();
      }
    }
    if (performance.now() > this.q.deadline && (this.q.progressBelow === undefined || ts + SKEW_MS + 1 < this.q.progressBelow)) {
      settle(id);
      const cut = ts + SKEW_MS;
      const certain = sort(this.found).filter((c) => c.startedAt > cut);
      if (certain.length > limit) return { found: certain.slice(0, limit + 1) };
      return { found: certain, resumeBefore: cut + 1 };
    }
    return undefined;
  }

  all(): WalkResult {
    return { found: sort(this.found).slice(0, this.q.limit + 1) };
  }
}

/** Newest first, as the explorer lists: by start, then by sequence. */
function sort(found: Candidate[]): Candidate[] {
  return found.sort((a, b) => b.startedAt - a.startedAt || b.seq - a.seq);
}

function statements(db: LogDatabase): Record<string, Database.Statement> {
  return {
    groups: db.prepare('SELECT id FROM log_groups').pluck(),
    eventsDesc: db.prepare(`SELECT id, ts, group_id, request, message FROM log_events
                            WHERE id > @after AND id < @before ORDER BY id DESC`),
    groupEventsDesc: db.prepare(`SELECT id, ts, group_id, request, message FROM log_events INDEXED BY log_events_group
                                 WHERE group_id = @group AND id > @after AND id < @before ORDER BY id DESC`),
    // CROSS JOIN keeps the FTS index as the outer loop: it yields blocks newest first, from `before` down.
    blocksDesc: db.prepare(`SELECT log_fts.rowid AS first, b.last_id AS last, b.group_id FROM log_fts CROSS JOIN log_blocks b ON b.first_id = log_fts.rowid
                            WHERE log_fts MATCH @fts AND log_fts.rowid > @after AND log_fts.rowid < @before ORDER BY log_fts.rowid DESC`),
    groupBlocksDesc: db.prepare(`SELECT log_fts.rowid AS first, b.last_id AS last, b.group_id FROM log_fts CROSS JOIN log_blocks b ON b.first_id = log_fts.rowid
                                 WHERE log_fts MATCH @fts AND log_fts.rowid > @after AND log_fts.rowid < @before AND b.group_id = @group
                                 ORDER BY log_fts.rowid DESC`),
    blockEvents: db.prepare(`SELECT id, ts, group_id, request, message FROM log_events INDEXED BY log_events_group
                             WHERE group_id = @group AND id >= @first AND id <= @last ORDER BY id DESC`),
    // Blocks begun before `id` that reach it: their events from `id` on are later than the walk's position.
    straddling: db.prepare(`SELECT first_id AS first, last_id AS last, group_id FROM log_blocks
                            WHERE first_id < @id AND first_id >= @lowest AND last_id >= @id`),
    atOrAfter: db.prepare('SELECT id, ts FROM log_events WHERE id >= ? ORDER BY id LIMIT 1'),
  };
}
