// Queries over the invocation records on PostgreSQL, for `lambkin stats`, the investigation API
// and the console: one record, a filtered list (keyset-paged, newest first; with a text filter,
// through text-search.ts), errors grouped by their shape, per-function statistics, and the
// console's start-up scan. The same answers as the SQLite store's (sqlite/investigation.ts).
import type { Postgres } from '../../database/index.js';
import type { Outcome } from '../types.js';
import type { ErrorGroup, InvocationView, ScannedRecord, Stats } from '../views.js';
import { SKEW_MS, textWalk, type TextFilter } from './text-search.js';
import type { PgEventReader } from './events.js';

export interface InvocationCursor {
  readonly startedAt: number;
  readonly seq: number;
}

export interface InvocationListQuery {
  readonly functionName?: string;
  readonly outcome?: Outcome;
  readonly cold?: boolean;
  readonly minDurationMs?: number;
  readonly since?: number;
  readonly until?: number;
  readonly text?: TextFilter;
  readonly limit: number;
  readonly after?: InvocationCursor;
}

export type SeqView = InvocationView & { seq: number };

export interface Row {
  seq: number; request_id: string; function_name: string; version: string; env_id: string | null; stream: string | null;
  started_at: number; cold: boolean; init_ms: number | null; duration_ms: number; billed_ms: number; memory_mb: number;
  max_memory_mb: number | null; outcome: Outcome; error_type: string | null; error_message: string | null;
}

const TEXT_SEARCH_MS = 250;
/** Lambda's longest timeout: a request's log lines are stamped within this of its start. */
const MAX_RUN_MS = 900_000;
/** Lines stamped after the end of the run (the platform's REPORT, a late flush). */
const LOG_TAIL_MS = 5000;

export class PgInvestigation {
  constructor(private readonly db: Postgres, private readonly events: PgEventReader) {}

  async get(requestId: string): Promise<InvocationView | undefined> {
    const [row] = await this.db.query<Row>('SELECT * FROM log_invocations WHERE request_id = $1', [requestId]);
    return row && view(row);
  }

  async list(q: InvocationListQuery): Promise<{ invocations: SeqView[]; next: InvocationCursor | undefined }> {
    if (q.text) return this.listByText(q, q.text);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      if (value === undefined) return;
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    add('function_name = ?', q.functionName);
    add('outcome = ?', q.outcome);
    add('cold = ?', q.cold);
    add('duration_ms >= ?', q.minDurationMs);
    add('started_at >= ?', q.since);
    add('started_at < ?', q.until);
    if (q.after) {
      params.push(q.after.startedAt, q.after.seq);
      where.push(`(started_at, seq) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(q.limit + 1);
    const rows = await this.db.query<Row>(`SELECT * FROM log_invocations ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                                           ORDER BY started_at DESC, seq DESC LIMIT $${params.length}`, params);
    return page(rows, q.limit);
  }

  /**
   * The newest invocations with a matching log line, found from the log side (text-search.ts) and
   * checked against the other filters. Lines are stamped from an invocation's start (less a clock
   * step) to its end (plus a tail), so the walk covers the range widened by that much.
   */
  private async listByText(q: InvocationListQuery, text: TextFilter): Promise<{ invocations: SeqView[]; next: InvocationCursor | undefined }> {
    const upper = Math.min(q.until ?? Infinity, q.after ? q.after.startedAt + 1 : Infinity);
    let until: number | undefined;
    if (upper !== Infinity) {
      const [row] = await this.db.query<{ longest: number | null }>(
        `SELECT max(duration_ms) AS longest FROM log_invocations WHERE ($1::text IS NULL OR function_name = $1) AND started_at >= $2 AND started_at < $3`,
        [q.functionName ?? null, upper - MAX_RUN_MS, upper]);
      until = upper + Math.min(MAX_RUN_MS, Math.ceil(row?.longest ?? 0)) + LOG_TAIL_MS;
    }
    const accept = async (requestIds: string[]) => {
      const rows = await this.db.query<Row>('SELECT * FROM log_invocations WHERE request_id = ANY($1::text[])', [requestIds]);
      return rows.filter((r) => matches(r, q));
    };
    const walk = await textWalk(this.db, this.events, text, {
      since: q.since === undefined ? undefined : q.since - SKEW_MS, until, limit: q.limit, accept,
      deadline: performance.now() + TEXT_SEARCH_MS, progressBelow: upper === Infinity ? undefined : upper,
    });
    if (walk.resumeBefore === undefined) return page(walk.found, q.limit);
    return { invocations: walk.found.map((r) => ({ ...view(r), seq: r.seq })), next: { startedAt: walk.resumeBefore, seq: 0 } };
  }

  /** Up to `limit` records started at or after `since`, in (startedAt, seq) order after `after`. */
  async scan(since: number, after: InvocationCursor | undefined, limit: number): Promise<(ScannedRecord & { seq: number })[]> {
    const rows = after
      ? await this.db.query<Row>('SELECT * FROM log_invocations WHERE (started_at, seq) > ($1, $2) ORDER BY started_at, seq LIMIT $3', [after.startedAt, after.seq, limit])
      : await this.db.query<Row>('SELECT * FROM log_invocations WHERE started_at >= $1 ORDER BY started_at, seq LIMIT $2', [since, limit]);
    return rows.map((r) => {
      const v = view(r);
      return {
        seq: r.seq, requestId: v.requestId, functionName: v.functionName, startedAt: v.startedAt, cold: v.cold, initMs: v.initMs,
        durationMs: v.durationMs, memoryMb: v.memoryMb, maxMemoryUsedMb: v.maxMemoryUsedMb, outcome: v.outcome, envId: v.envId,
        errorType: v.errorType, errorMessage: v.errorMessage,
      };
    });
  }

  /** A page of error groups, most recently seen first, and where the next page starts. */
  async errorPage(q: { functionName?: string; since?: number; until?: number; limit: number; after?: { lastSeen: number; seq: number } }):
    Promise<{ errors: ErrorGroup[]; next: { lastSeen: number; seq: number } | undefined }> {
    const rows = await this.db.query<{
      function_name: string; error_type: string | null; error_key: string | null; count: number; first_seen: number; last_seen: number; latest: number;
    }>(`SELECT function_name, error_type, error_key, count(*)::bigint AS count, min(started_at) AS first_seen,
          max(started_at) AS last_seen, max(seq) AS latest
        FROM log_invocations WHERE outcome <> 'success' AND ($1::text IS NULL OR function_name = $1) AND started_at >= $2 AND started_at < $3
        GROUP BY function_name, error_type, error_key
        HAVING max(started_at) < $4 OR (max(started_at) = $4 AND max(seq) < $5)
        ORDER BY last_seen DESC, latest DESC LIMIT $6`,
    [q.functionName ?? null, q.since ?? 0, q.until ?? Number.MAX_SAFE_INTEGER, q.after?.lastSeen ?? Number.MAX_SAFE_INTEGER,
      q.after?.seq ?? Number.MAX_SAFE_INTEGER, q.limit + 1]);
    const shown = rows.slice(0, q.limit);
    const latest = new Map((await this.db.query<{ seq: number; request_id: string; error_message: string | null }>(
      'SELECT seq, request_id, error_message FROM log_invocations WHERE seq = ANY($1::bigint[])', [shown.map((r) => r.latest)])).map((r) => [r.seq, r]));
    const errors = shown.map((r) => {
      const l = latest.get(r.latest);
      return {
        functionName: r.function_name, errorType: r.error_type ?? undefined, message: r.error_key ?? undefined,
        sampleMessage: l?.error_message ?? undefined, count: r.count, firstSeen: r.first_seen, lastSeen: r.last_seen,
        latestRequestId: l?.request_id ?? '',
      };
    });
    const last = shown[shown.length - 1];
    return { errors, next: rows.length > q.limit && last ? { lastSeen: last.last_seen, seq: last.latest } : undefined };
  }

  async stats(q: { functionName: string; since?: number; until?: number }): Promise<Stats> {
    const p = [q.functionName, q.since ?? 0, q.until ?? Number.MAX_SAFE_INTEGER];
    const window = 'function_name = $1 AND started_at >= $2 AND started_at < $3';
    // percentile_disc: the first value whose rank reaches the fraction, as the SQLite store's pct().
    const [t] = await this.db.query<{
      n: number; errors: number; cold: number; max_memory: number | null; memory: number | null; avg: number | null;
      p50: number | null; p95: number | null; p99: number | null; max: number | null;
    }>(`SELECT count(*)::bigint AS n, count(*) FILTER (WHERE outcome <> 'success')::bigint AS errors, count(*) FILTER (WHERE cold)::bigint AS cold,
          max(max_memory_mb) AS max_memory, max(memory_mb) AS memory, avg(duration_ms) AS avg,
          percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50, percentile_disc(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95,
          percentile_disc(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99, max(duration_ms) AS max
        FROM log_invocations WHERE ${window}`, p);
    const [init] = await this.db.query<{ p50: number | null; max: number | null }>(
      `SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY init_ms) AS p50, max(init_ms) AS max FROM log_invocations
       WHERE init_ms IS NOT NULL AND cold AND ${window}`, p);
    const outcomes = await this.db.query<{ outcome: string; n: number }>(`SELECT outcome, count(*)::bigint AS n FROM log_invocations WHERE ${window} GROUP BY outcome`, p);
    const types = await this.db.query<{ type: string; n: number }>(
      `SELECT coalesce(error_type, outcome) AS type, count(*)::bigint AS n FROM log_invocations WHERE outcome <> 'success' AND ${window}
       GROUP BY 1 ORDER BY n DESC`, p);
    return {
      invocations: t!.n, errors: t!.errors, errorsByType: Object.fromEntries(types.map((r) => [r.type, r.n])),
      outcomes: Object.fromEntries(outcomes.map((r) => [r.outcome, r.n])), coldStarts: t!.cold,
      durationMs: t!.n > 0 ? { p50: t!.p50!, p95: t!.p95!, p99: t!.p99!, max: t!.max!, avg: t!.avg ?? 0 } : undefined,
      initMs: init?.max !== null && init?.max !== undefined ? { p50: init.p50!, max: init.max } : undefined,
      maxMemoryUsedMb: t!.max_memory ?? undefined,
      memoryMb: t!.memory ?? undefined,
    };
  }
}

/** Rows of limit + 1, newest first: the page and where the next one starts. */
function page(rows: Row[], limit: number): { invocations: SeqView[]; next: InvocationCursor | undefined } {
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return {
    invocations: shown.map((r) => ({ ...view(r), seq: r.seq })),
    next: rows.length > limit && last ? { startedAt: last.started_at, seq: last.seq } : undefined,
  };
}

/** What list()'s SQL checks, for one row met by a text search. */
function matches(r: Row, q: InvocationListQuery): boolean {
  return (q.functionName === undefined || r.function_name === q.functionName)
    && (q.outcome === undefined || r.outcome === q.outcome)
    && (q.cold === undefined || r.cold === q.cold)
    && (q.minDurationMs === undefined || r.duration_ms >= q.minDurationMs)
    && (q.since === undefined || r.started_at >= q.since)
    && (q.until === undefined || r.started_at < q.until)
    && (q.after === undefined || r.started_at < q.after.startedAt || (r.started_at === q.after.startedAt && r.seq < q.after.seq));
}

export function view(r: Row): InvocationView {
  return {
    requestId: r.request_id, functionName: r.function_name, version: r.version, envId: r.env_id ?? undefined,
    logStream: r.stream ?? undefined, startedAt: r.started_at, cold: r.cold, initMs: r.init_ms ?? undefined,
    durationMs: r.duration_ms, billedMs: r.billed_ms, memoryMb: r.memory_mb, maxMemoryUsedMb: r.max_memory_mb ?? undefined,
    outcome: r.outcome, errorType: r.error_type ?? undefined, errorMessage: r.error_message ?? undefined,
  };
}
