// Queries run in the background: start() answers a query id at once; the query waits its turn
// (Scheduled), runs (Running) and ends Complete, Failed, Cancelled (stop()) or Timeout. Bounded:
// at most `running` queries read the store at once, at most `open` are started and not yet ended
// (more is refused with CloudWatch's LimitExceededException), each runs at most `timeoutMs`,
// and ended queries are kept — results included — only up to `kept` of them and `keptBytes` of
// results, oldest forgotten first.
import { randomUUID } from 'node:crypto';
import type { LogReader } from '../store.js';
import type { Query } from './ast.js';
import { LogsError } from '../../errors.js';
import { QueryFailure } from './errors.js';
import { runQuery, type QueryStatistics, type ResultField, type RunSpec } from './execute.js';

export type QueryStatus = 'Scheduled' | 'Running' | 'Complete' | 'Failed' | 'Cancelled' | 'Timeout';

export interface QueryLimits {
  readonly running: number;
  readonly open: number;
  readonly timeoutMs: number;
  readonly kept: number;
  readonly keptBytes: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { running: 2, open: 30, timeoutMs: 60_000, kept: 200, keptBytes: 64 * 1024 * 1024 };

export interface QueryInfo {
  readonly queryId: string;
  readonly queryString: string;
  readonly groups: readonly string[];
  readonly createTime: number;
  status: QueryStatus;
  readonly statistics: QueryStatistics;
  results: ResultField[][];
  /** While Running: the rows found so far (execute.ts's RunControl.onPartial). */
  partial?: () => ResultField[][];
  /** Why it failed (Failed), for the server log and GetQueryResults' callers. */
  failure?: string;
}

export interface StartSpec extends Omit<RunSpec, 'query'> {
  readonly query: Query;
  readonly queryString: string;
}

class Stopped extends Error {
  constructor(readonly status: 'Cancelled' | 'Timeout') {
    super(status);
  }
}

export class InsightsQueries {
  private readonly queries = new Map<string, QueryInfo>(); // in order of start
  private readonly waiting: { info: QueryInfo; spec: StartSpec }[] = [];
  private readonly cancelled = new Set<string>();
  private running = 0;
  private keptBytes = 0;
  private readonly bytes = new Map<string, number>();

  constructor(private readonly reader: LogReader, private readonly limits: QueryLimits = DEFAULT_QUERY_LIMITS, private readonly log: (line: string) => void = () => undefined) {}

  start(spec: StartSpec): string {
    const open = [...this.queries.values()].filter((q) => q.status === 'Scheduled' || q.status === 'Running').length;
    if (open >= this.limits.open) {
      throw new LogsError('LimitExceededException', `${open} queries are already scheduled or running (at most ${this.limits.open}); wait for one to end, or stop one (StopQuery).`);
    }
    const info: QueryInfo = {
      queryId: randomUUID(), queryString: spec.queryString, groups: spec.groups, createTime: Date.now(), status: 'Scheduled',
      statistics: { recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 }, results: [],
    };
    this.queries.set(info.queryId, info);
    this.waiting.push({ info, spec });
    this.pump();
    return info.queryId;
  }

  get(queryId: string): QueryInfo | undefined {
    return this.queries.get(queryId);
  }

  /**
   * A query's rows: all of them once Complete; while Running, those found so far (as CloudWatch
   * answers them: a stats query's groups as counted up to now); none otherwise.
   */
  rows(info: QueryInfo): ResultField[][] {
    if (info.status !== 'Running' || !info.partial) return info.results;
    try {
      return info.partial();
    } catch {
      return []; // too much held already: the query itself fails on its next row
    }
  }

  /** False when the query had already ended; undefined when there is no such query. */
  stop(queryId: string): boolean | undefined {
    const info = this.queries.get(queryId);
    if (!info) return undefined;
    if (info.status === 'Scheduled') {
      this.waiting.splice(this.waiting.findIndex((w) => w.info === info), 1);
      this.end(info, 'Cancelled');
      return true;
    }
    if (info.status !== 'Running') return false;
    this.cancelled.add(queryId);
    return true;
  }

  /** Newest first. */
  list(): QueryInfo[] {
    return [...this.queries.values()].reverse();
  }

  private pump(): void {
    while (this.running < this.limits.running && this.waiting.length > 0) {
      const { info, spec } = this.waiting.shift()!;
      this.running++;
      void this.run(info, spec).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async run(info: QueryInfo, spec: StartSpec): Promise<void> {
    info.status = 'Running';
    const deadline = Date.now() + this.limits.timeoutMs;
    const check = () => {
      if (this.cancelled.has(info.queryId)) throw new Stopped('Cancelled');
      if (Date.now() > deadline) throw new Stopped('Timeout');
    };
    try {
      info.results = await runQuery(this.reader, spec, { stats: info.statistics, check, onPartial: (rows) => { info.partial = rows; } });
      this.end(info, 'Complete');
    } catch (err) {
      if (err instanceof Stopped) this.end(info, err.status);
      else {
        if (!(err instanceof QueryFailure)) this.log(`lambkin: Logs Insights query ${info.queryId} failed: ${(err as Error)?.stack ?? String(err)}`);
        info.failure = err instanceof QueryFailure ? err.message : 'The query failed inside lambkin; the server log has the details.';
        this.end(info, 'Failed');
      }
    } finally {
      this.cancelled.delete(info.queryId);
    }
  }

  private end(info: QueryInfo, status: QueryStatus): void {
    info.status = status;
    delete info.partial; // it holds the query's stages: let them go
    if (status !== 'Complete') info.results = [];
    const size = info.results.reduce((n, row) => n + row.reduce((m, f) => m + f.field.length + f.value.length + 32, 0), 0);
    this.bytes.set(info.queryId, size);
    this.keptBytes += size;
    this.forget();
  }

  /** Forget the oldest ended queries beyond the limits (those scheduled or running stay). */
  private forget(): void {
    let ended = [...this.queries.values()].filter((q) => q.status !== 'Scheduled' && q.status !== 'Running');
    while (ended.length > 0 && (ended.length > this.limits.kept || this.keptBytes > this.limits.keptBytes)) {
      const oldest = ended.shift()!;
      this.queries.delete(oldest.queryId);
      this.keptBytes -= this.bytes.get(oldest.queryId) ?? 0;
      this.bytes.delete(oldest.queryId);
    }
    ended = [];
  }
}
