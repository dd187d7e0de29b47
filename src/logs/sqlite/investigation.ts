// Queries over the invocation records, for `lambkin stats` and the console: a filtered list
// (keyset-paged, newest first), errors grouped by their shape, and per-function statistics.
import type Database from 'better-sqlite3';
import type { LogDatabase } from './schema.js';
import { SKEW_MS, TextSearch, type TextFilter } from './text-search.js';
import { WORK_PER_LOOK } from './event-reader.js';
import { TimeIndex } from './time-index.js';
import { PlatformEvents } from './platform-events.js';
import type { Outcome } from '../types.js';
import type { ErrorGroup, InvocationView, ScannedRecord, Stats } from '../views.js';

/** Position after the last invocation of a page (newest first): its start time and sequence. */
export interface InvocationCursor {
  readonly startedAt: number;
  readonly seq: number;
}

export interface InvocationQuery {
  readonly functionName?: string;
  readonly outcome?: Outcome;
  readonly cold?: boolean;
  readonly minDurationMs?: number;
  readonly since?: number;
  readonly until?: number;
  /** Only requests with a log line matching this (in the range, give or take the invocations' run time). */
  readonly text?: TextFilter;
  readonly limit: number;
  readonly after?: InvocationCursor;
}

export interface InvocationPage {
  readonly invocations: (InvocationView & { seq: number })[];
  /** Where the next page starts; undefined when this is the last. */
  readonly next: InvocationCursor | undefined;
}

export interface ErrorGroupQuery {
  readonly functionName?: string;
  readonly since?: number;
  readonly until?: number;
  readonly limit: number;
  /** After this group (a previous page's `next`). */
  readonly after?: ErrorGroupCursor;
}

/** Where a page of error groups ended: its last group's last time seen and latest invocation. */
export interface ErrorGroupCursor {
  readonly lastSeen: number;
  readonly seq: number;
}

export interface ErrorGroupPage {
  readonly errors: ErrorGroup[];
  readonly next: ErrorGroupCursor | undefined;
}

interface Row {
  seq: number; request_id: string; function_name: string; version: string; env_id: string | null; stream: string | null;
  started_at: number; cold: number; init_ms: number | null; duration_ms: number; billed_ms: number; memory_mb: number;
  max_memory_mb: number | null; outcome: Outcome; error_type: string | null; error_message: string | null;
}

const SELECT = 'SELECT i.id AS seq, r.request_id, i.* FROM invocations i JOIN requests r ON r.id = i.id';
const SCAN = `SELECT i.id, r.request_id, i.function_name, i.started_at, i.cold, i.init_ms, i.duration_ms, i.memory_mb, i.max_memory_mb,
                     i.outcome, i.env_id, i.error_type, i.error_message FROM invocations i JOIN requests r ON r.id = i.id`;
// Plain comparisons (no `@x IS NULL OR …`) so that SQLite plans them onto the indexes.
const WINDOW = 'function_name = @fn AND started_at >= @since AND started_at < @until';
const ANY_FUNCTION = 'started_at >= @since AND started_at < @until';
/** A text search spends about this long before answering a partial page (with a cursor to go on). */
const TEXT_SEARCH_MS = 250;
/** Lambda's longest timeout: a request's log lines are stamped within this of its start. */
const MAX_RUN_MS = 900_000;
/** Lines stamped after the end of the run (the platform's REPORT, a late flush). */
const LOG_TAIL_MS = 5000;

export class Investigation {
  private readonly lists = new Map<string, Database.Statement>();
  private readonly s: ReturnType<typeof statements>;
  private readonly text: TextSearch;
  private readonly platform: PlatformEvents;

  constructor(private readonly db: LogDatabase) {
    this.s = statements(db);
    this.platform = new PlatformEvents(db);
    this.text = new TextSearch(db, this.platform, new TimeIndex(db, this.platform));
  }

  list(q: InvocationQuery): InvocationPage {
    if (q.text) return this.listByText(q, q.text);
    const { stmt, params } = this.listStatement(q);
    return page(stmt.all({ ...params, limit: q.limit + 1 }) as Row[], q.limit);
  }

  /** The filtered list's statement (newest first, LIMIT @limit) and its parameters but the limit. */
  private listStatement(q: InvocationQuery): { stmt: Database.Statement; params: Record<string, unknown> } {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    const add = (sql: string, name: string, value: unknown) => {
      if (value === undefined) return;
      where.push(sql);
      params[name] = value;
    };
    add('i.function_name = @fn', 'fn', q.functionName);
    add('i.outcome = @outcome', 'outcome', q.outcome);
    add('i.cold = @cold', 'cold', q.cold === undefined ? undefined : q.cold ? 1 : 0);
    add('i.duration_ms >= @min', 'min', q.minDurationMs);
    add('i.started_at >= @since', 'since', q.since);
    add('i.started_at < @until', 'until', q.until);
    if (q.after) {
      where.push('(i.started_at, i.id) < (@afterAt, @afterSeq)');
      params.afterAt = q.after.startedAt;
      params.afterSeq = q.after.seq;
    }
    const sql = `${SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY i.started_at DESC, i.id DESC LIMIT @limit`;
    let stmt = this.lists.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      if (this.lists.size > 256) this.lists.clear();
      this.lists.set(sql, stmt);
    }
    return { stmt, params };
  }

  /**
   * The newest invocations with a matching log line, found from the log side (text-search.ts) and
   * checked here against the other filters one by one. Its log lines are stamped from an
   * invocation's start (less a clock step) to its end (plus a tail), so the walk covers the range
   * widened by that much: past the cursor or `until` by the longest run that started just before.
   */
  private listByText(q: InvocationQuery, text: TextFilter): InvocationPage {
    const rows = new Map<number, Row>();
    const accept = (seq: number) => {
      const r = this.s.bySeq.get(seq) as Row | undefined;
      if (!r || !matches(r, q)) return undefined;
      rows.set(seq, r);
      return { seq, startedAt: r.started_at };
    };
    const upper = Math.min(q.until ?? Infinity, q.after ? q.after.startedAt + 1 : Infinity);
    let until: number | undefined;
    if (upper !== Infinity) {
      const p = { fn: q.functionName, since: upper - MAX_RUN_MS, until: upper };
      const longest = ((q.functionName === undefined ? this.s.longestAny.get(p) : this.s.longest.get(p)) as number | null) ?? 0;
      until = upper + Math.min(MAX_RUN_MS, Math.ceil(longest)) + LOG_TAIL_MS;
    }
    const deadline = performance.now() + TEXT_SEARCH_MS;
    // With a selective filter besides (outcome, cold, duration), the records that pass it may be
    // found sooner the other way round: run both, a step each in turn; the first to finish answers,
    // and at the deadline the records' side answers (its partial page is exact).
    const other = q.outcome !== undefined || q.cold !== undefined || q.minDurationMs !== undefined ? this.recordsFirst(q, text) : undefined;
    const logs = this.text.walk(text, {
      since: q.since === undefined ? undefined : q.since - SKEW_MS, until, limit: q.limit, accept,
      deadline: other ? Infinity : deadline, progressBelow: upper === Infinity ? undefined : upper,
    });
    try {
      for (;;) {
        const step = logs.next();
        if (step.done) {
          const walk = step.value;
          const found = walk.found.map((c) => rows.get(c.seq)!);
          if (walk.resumeBefore === undefined) return page(found, q.limit);
          return { invocations: found.map((r) => ({ ...view(r), seq: r.seq })), next: { startedAt: walk.resumeBefore, seq: 0 } };
        }
        if (other) {
          const mine = other.next(performance.now() > deadline);
          if (mine.done) return mine.value;
        }
      }
    } finally {
      logs.return(undefined as never);
      other?.return(undefined as never);
    }
  }

  /**
   * The filtered records newest first, each kept if one of its log lines matches: a few rows per
   * step; told `true` (out of time), it answers what it has, with the cursor of the last row read.
   */
  private *recordsFirst(q: InvocationQuery, text: TextFilter): Generator<void, InvocationPage, boolean> {
    const { stmt, params } = this.listStatement(q);
    const found: Row[] = [];
    let n = 0;
    let work = 0; // the pattern's, as in text-search.ts: costly lines make a step shorter
    let last: Row | undefined;
    const matching = (l: { group_id: number; message: string }) => {
      if (text.groupId !== undefined && l.group_id !== text.groupId) return false;
      work += text.pattern.weight * l.message.length;
      return text.pattern.test(l.message);
    };
    for (const r of stmt.iterate({ ...params, limit: -1 }) as IterableIterator<Row>) {
      last = r;
      // Line by line, stopping at the first match: a request may have logged gigabytes.
      if (some(this.s.lines.iterate(r.seq) as IterableIterator<{ group_id: number; message: string }>, matching) || this.platform.ofRequest(r.seq).some(matching)) {
        found.push(r);
        if (found.length > q.limit) return page(found, q.limit);
      }
      if ((++n & 7) === 0 || work > WORK_PER_LOOK) {
        work = 0;
        if (yield) return { invocations: found.map((f) => ({ ...view(f), seq: f.seq })), next: { startedAt: last.started_at, seq: last.seq } };
      }
    }
    return page(found, q.limit);
  }

  /**
   * Up to `limit` records started at or after `since`, in (startedAt, seq) order after `after`, as
   * the console's rollups read them once at start-up: one page per call, so that the caller can
   * give the event loop back between pages. Only the fields a rollup needs, read as arrays (twice
   * as fast as whole rows over a million records).
   */
  scan(since: number, after: InvocationCursor | undefined, limit: number): (ScannedRecord & { seq: number })[] {
    const rows = (after ? this.s.scanAfter.all({ ...after, limit }) : this.s.scanFrom.all({ since, limit })) as unknown[][];
    return rows.map((r) => ({
      seq: r[0] as number, requestId: r[1] as string, functionName: r[2] as string, startedAt: r[3] as number, cold: r[4] === 1,
      initMs: (r[5] as number | null) ?? undefined, durationMs: r[6] as number, memoryMb: r[7] as number,
      maxMemoryUsedMb: (r[8] as number | null) ?? undefined, outcome: r[9] as Outcome, envId: (r[10] as string | null) ?? undefined,
      errorType: (r[11] as string | null) ?? undefined, errorMessage: (r[12] as string | null) ?? undefined,
    }));
  }

  get(requestId: string): InvocationView | undefined {
    const row = this.s.one.get(requestId) as Row | undefined;
    return row && view(row);
  }

  errors(q: ErrorGroupQuery): ErrorGroup[] {
    return this.errorPage(q).errors;
  }

  /** A page of error groups, most recently seen first, and where the next page starts. */
  errorPage(q: ErrorGroupQuery): ErrorGroupPage {
    const stmt = q.functionName === undefined ? this.s.allErrorGroups : this.s.errorGroups;
    const rows = stmt.all({
      fn: q.functionName, since: q.since ?? 0, until: q.until ?? Number.MAX_SAFE_INTEGER, limit: q.limit + 1,
      t: q.after?.lastSeen ?? Number.MAX_SAFE_INTEGER, seq: q.after?.seq ?? Number.MAX_SAFE_INTEGER,
    }) as {
      function_name: string; error_type: string | null; error_key: string | null; count: number; first_seen: number; last_seen: number; latest: number;
    }[];
    const shown = rows.slice(0, q.limit);
    const errors = shown.map((r) => {
      const latest = this.s.latest.get(r.latest) as { request_id: string; error_message: string | null };
      return {
        functionName: r.function_name, errorType: r.error_type ?? undefined, message: r.error_key ?? undefined,
        sampleMessage: latest.error_message ?? undefined, count: r.count, firstSeen: r.first_seen, lastSeen: r.last_seen,
        latestRequestId: latest.request_id,
      };
    });
    const last = shown[shown.length - 1];
    return { errors, next: rows.length > q.limit && last ? { lastSeen: last.last_seen, seq: last.latest } : undefined };
  }

  stats(q: { functionName: string; since?: number; until?: number }): Stats {
    const p = { fn: q.functionName, since: q.since ?? 0, until: q.until ?? Number.MAX_SAFE_INTEGER };
    const totals = this.s.totals.get(p) as { n: number; errors: number | null; cold: number | null; max_memory: number | null; memory: number | null; avg: number | null };
    const outcomes = Object.fromEntries((this.s.outcomes.all(p) as { outcome: string; n: number }[]).map((r) => [r.outcome, r.n]));
    const errorsByType = Object.fromEntries((this.s.errorTypes.all(p) as { type: string; n: number }[]).map((r) => [r.type, r.n]));
    const durations = Float64Array.from(this.s.durations.all(p) as number[]).sort();
    const inits = Float64Array.from(this.s.inits.all(p) as number[]).sort();
    return {
      invocations: totals.n, errors: totals.errors ?? 0, errorsByType, outcomes, coldStarts: totals.cold ?? 0,
      durationMs: durations.length
        ? { p50: pct(durations, 50), p95: pct(durations, 95), p99: pct(durations, 99), max: durations[durations.length - 1]!, avg: totals.avg ?? 0 }
        : undefined,
      initMs: inits.length ? { p50: pct(inits, 50), max: inits[inits.length - 1]! } : undefined,
      maxMemoryUsedMb: totals.max_memory ?? undefined,
      memoryMb: totals.memory ?? undefined,
    };
  }
}

function some<T>(items: IterableIterator<T>, test: (item: T) => boolean): boolean {
  for (const item of items) if (test(item)) return true; // for..of closes the statement on return
  return false;
}

/** Rows of limit + 1, newest first: the page and where the next one starts. */
function page(rows: Row[], limit: number): InvocationPage {
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return {
    invocations: shown.map((r) => ({ ...view(r), seq: r.seq })),
    next: rows.length > limit && last ? { startedAt: last.started_at, seq: last.seq } : undefined,
  };
}

/** What list()'s SQL checks, for one row met by a text search. */
function matches(r: Row, q: InvocationQuery): boolean {
  return (q.functionName === undefined || r.function_name === q.functionName)
    && (q.outcome === undefined || r.outcome === q.outcome)
    && (q.cold === undefined || r.cold === (q.cold ? 1 : 0))
    && (q.minDurationMs === undefined || r.duration_ms >= q.minDurationMs)
    && (q.since === undefined || r.started_at >= q.since)
    && (q.until === undefined || r.started_at < q.until)
    && (q.after === undefined || r.started_at < q.after.startedAt || (r.started_at === q.after.startedAt && r.seq < q.after.seq));
}

function pct(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function view(r: Row): InvocationView {
  return {
    requestId: r.request_id, functionName: r.function_name, version: r.version, envId: r.env_id ?? undefined,
    logStream: r.stream ?? undefined, startedAt: r.started_at, cold: r.cold === 1, initMs: r.init_ms ?? undefined,
    durationMs: r.duration_ms, billedMs: r.billed_ms, memoryMb: r.memory_mb, maxMemoryUsedMb: r.max_memory_mb ?? undefined,
    outcome: r.outcome, errorType: r.error_type ?? undefined, errorMessage: r.error_message ?? undefined,
  };
}

/** From the failures-only index (schema.ts): a function's own index would read all its successes too. */
function errorGroupsSql(window: string): string {
  return `SELECT function_name, error_type, error_key, count(*) AS count, min(started_at) AS first_seen,
            max(started_at) AS last_seen, max(id) AS latest
          FROM invocations INDEXED BY invocations_error_groups WHERE outcome <> 'success' AND ${window}
          GROUP BY function_name, error_type, error_key
          HAVING max(started_at) < @t OR (max(started_at) = @t AND max(id) < @seq)
          ORDER BY last_seen DESC, latest DESC LIMIT @limit`;
}

function statements(db: LogDatabase) {
  return {
    one: db.prepare(`${SELECT} WHERE r.request_id = ?`),
    bySeq: db.prepare(`${SELECT} WHERE i.id = ?`),
    // A request's log lines, of groups not deleted.
    lines: db.prepare('SELECT e.group_id, e.message FROM log_events e JOIN log_groups g ON g.id = e.group_id WHERE e.request = ?'),
    longest: db.prepare(`SELECT max(duration_ms) FROM invocations WHERE ${WINDOW}`).pluck(),
    longestAny: db.prepare(`SELECT max(duration_ms) FROM invocations WHERE ${ANY_FUNCTION}`).pluck(),
    scanFrom: db.prepare(`${SCAN} WHERE i.started_at >= @since ORDER BY i.started_at, i.id LIMIT @limit`).raw(),
    scanAfter: db.prepare(`${SCAN} WHERE (i.started_at, i.id) > (@startedAt, @seq) ORDER BY i.started_at, i.id LIMIT @limit`).raw(),
    errorGroups: db.prepare(errorGroupsSql(WINDOW)),
    allErrorGroups: db.prepare(errorGroupsSql(ANY_FUNCTION)),
    latest: db.prepare('SELECT r.request_id, i.error_message FROM invocations i JOIN requests r ON r.id = i.id WHERE i.id = ?'),
    totals: db.prepare(`SELECT count(*) AS n, sum(outcome <> 'success') AS errors, sum(cold) AS cold, max(max_memory_mb) AS max_memory,
                          max(memory_mb) AS memory, avg(duration_ms) AS avg FROM invocations WHERE ${WINDOW}`),
    outcomes: db.prepare(`SELECT outcome, count(*) AS n FROM invocations WHERE ${WINDOW} GROUP BY outcome`),
    errorTypes: db.prepare(`SELECT coalesce(error_type, outcome) AS type, count(*) AS n FROM invocations
                            WHERE outcome <> 'success' AND ${WINDOW} GROUP BY 1 ORDER BY n DESC`),
    durations: db.prepare(`SELECT duration_ms FROM invocations WHERE ${WINDOW}`).pluck(),
    inits: db.prepare(`SELECT init_ms FROM invocations WHERE init_ms IS NOT NULL AND cold = 1 AND ${WINDOW}`).pluck(),
  };
}
