// Queries over the invocation records, for `lambkin stats` and the console: a filtered list
// (keyset-paged, newest first), errors grouped by their shape, and per-function statistics.
import type Database from 'better-sqlite3';
import type { LogDatabase } from './schema.js';
import type { Outcome } from './types.js';

export interface InvocationView {
  readonly requestId: string;
  readonly functionName: string;
  readonly version: string;
  readonly envId: string | undefined;
  readonly logStream: string | undefined;
  readonly startedAt: number;
  readonly cold: boolean;
  readonly initMs: number | undefined;
  readonly durationMs: number;
  readonly billedMs: number;
  readonly memoryMb: number;
  readonly maxMemoryUsedMb: number | undefined;
  readonly outcome: Outcome;
  readonly errorType: string | undefined;
  readonly errorMessage: string | undefined;
}

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
  /** Only these requests (those with a log line matching a text search). */
  readonly requestIds?: readonly string[];
  readonly limit: number;
  readonly after?: InvocationCursor;
}

export interface ErrorGroup {
  readonly functionName: string;
  readonly errorType: string | undefined;
  readonly message: string | undefined; // normalised
  readonly sampleMessage: string | undefined;
  readonly count: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly latestRequestId: string;
}

/** What Investigation.scan reads of a record. */
export type ScannedRecord = Pick<InvocationView,
  'requestId' | 'functionName' | 'startedAt' | 'cold' | 'initMs' | 'durationMs' | 'memoryMb' | 'maxMemoryUsedMb' | 'outcome' | 'envId' | 'errorType' | 'errorMessage'> & { readonly seq: number };

export interface Stats {
  readonly invocations: number;
  readonly errors: number;
  readonly errorsByType: Record<string, number>;
  readonly outcomes: Record<string, number>;
  readonly coldStarts: number;
  readonly durationMs: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number; readonly avg: number } | undefined;
  readonly initMs: { readonly p50: number; readonly max: number } | undefined;
  readonly maxMemoryUsedMb: number | undefined;
  readonly memoryMb: number | undefined;
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

export class Investigation {
  private readonly lists = new Map<string, Database.Statement>();
  private readonly s: ReturnType<typeof statements>;

  constructor(private readonly db: LogDatabase) {
    this.s = statements(db);
  }

  list(q: InvocationQuery): { invocations: (InvocationView & { seq: number })[]; more: boolean } {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: q.limit + 1 };
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
    add('r.request_id IN (SELECT value FROM json_each(@ids))', 'ids', q.requestIds && JSON.stringify(q.requestIds));
    const sql = `${SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY i.started_at DESC, i.id DESC LIMIT @limit`;
    let stmt = this.lists.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      if (this.lists.size > 256) this.lists.clear();
      this.lists.set(sql, stmt);
    }
    const rows = stmt.all(params) as Row[];
    return { invocations: rows.slice(0, q.limit).map((r) => ({ ...view(r), seq: r.seq })), more: rows.length > q.limit };
  }

  /**
   * Up to `limit` records started at or after `since`, in (startedAt, seq) order after `after`, as
   * the console's rollups read them once at start-up: one page per call, so that the caller can
   * give the event loop back between pages. Only the fields a rollup needs, read as arrays (twice
   * as fast as whole rows over a million records).
   */
  scan(since: number, after: InvocationCursor | undefined, limit: number): ScannedRecord[] {
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

  errors(q: { functionName?: string; since?: number; until?: number; limit: number }): ErrorGroup[] {
    const stmt = q.functionName === undefined ? this.s.allErrorGroups : this.s.errorGroups;
    const rows = stmt.all({ fn: q.functionName, since: q.since ?? 0, until: q.until ?? Number.MAX_SAFE_INTEGER, limit: q.limit }) as {
      function_name: string; error_type: string | null; error_key: string | null; count: number; first_seen: number; last_seen: number; latest: number;
    }[];
    return rows.map((r) => {
      const latest = this.s.latest.get(r.latest) as { request_id: string; error_message: string | null };
      return {
        functionName: r.function_name, errorType: r.error_type ?? undefined, message: r.error_key ?? undefined,
        sampleMessage: latest.error_message ?? undefined, count: r.count, firstSeen: r.first_seen, lastSeen: r.last_seen,
        latestRequestId: latest.request_id,
      };
    });
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

function errorGroupsSql(window: string): string {
  return `SELECT function_name, error_type, error_key, count(*) AS count, min(started_at) AS first_seen,
            max(started_at) AS last_seen, max(id) AS latest
          FROM invocations WHERE outcome <> 'success' AND ${window}
          GROUP BY function_name, error_type, error_key ORDER BY last_seen DESC LIMIT @limit`;
}

function statements(db: LogDatabase) {
  return {
    one: db.prepare(`${SELECT} WHERE r.request_id = ?`),
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
