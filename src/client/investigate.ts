// The investigation API (GET /lambkin/v1/…, README "Logs and investigation API") as typed methods:
// log events across a function's streams, one invocation whole, invocation records, grouped
// errors and per-function statistics.
import type { ErrorGroupView, FunctionStatsView, InvocationPageView, InvocationRecordView, LogEventView, LogLevelName, Outcome as OutcomeName } from '../wire.js';
import type { Transport } from './transport.js';

// The answers' shapes are the server's own (wire.ts), shared so the two sides cannot drift apart.
export type { ErrorGroupView, FunctionStatsView, InvocationPageView, InvocationRecordView, LogEventView, LogLevelName } from '../wire.js';
export type { Outcome as OutcomeName } from '../wire.js';

/** Times: epoch ms, ISO 8601, or a duration ago such as `15m`, `2h`, `7d`. */
export type TimeParam = number | string;

export interface EventsQuery {
  readonly functionName: string;
  readonly since?: TimeParam;
  readonly until?: TimeParam;
  /** A CloudWatch Logs filter pattern. */
  readonly filter?: string;
  readonly levels?: readonly LogLevelName[];
  /** Continue after this position (a previous page's `next`). */
  readonly after?: string;
  readonly limit?: number;
}

export interface EventsPage {
  readonly events: readonly LogEventView[];
  /** Position to continue from (pass as `after`); also where a follower polls for new events. */
  readonly next: string;
  /** True when the page stopped early and more events may match right away. */
  readonly more: boolean;
}

export interface InvocationsQuery {
  readonly functionName?: string;
  readonly outcome?: OutcomeName;
  readonly cold?: boolean;
  readonly minDurationMs?: number;
  readonly since?: TimeParam;
  readonly until?: TimeParam;
  readonly q?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

const BASE = '/lambkin/v1';

const str = (v: number | string | boolean | undefined) => (v === undefined ? undefined : String(v));

export class InvestigationClient {
  constructor(private readonly http: Transport) {}

  events(q: EventsQuery): Promise<EventsPage> {
    return this.http.json('GET', `${BASE}/events`, undefined, {
      function: q.functionName, since: str(q.since), until: str(q.until), filter: q.filter,
      level: q.levels?.join(','), after: q.after, limit: str(q.limit),
    });
  }

  /**
   * One invocation: its record (null when only log lines are known) and a page of its log lines,
   * in order; `next`, passed back as `after`, gives the following page.
   */
  invocation(requestId: string, page: { after?: string; limit?: number } = {}): Promise<InvocationPageView> {
    return this.http.json('GET', `${BASE}/invocations/${encodeURIComponent(requestId)}`, undefined, { after: page.after, limit: str(page.limit) });
  }

  invocations(q: InvocationsQuery = {}): Promise<{ invocations: readonly InvocationRecordView[]; nextCursor?: string }> {
    return this.http.json('GET', `${BASE}/invocations`, undefined, {
      function: q.functionName, outcome: q.outcome, cold: str(q.cold), minDurationMs: str(q.minDurationMs),
      since: str(q.since), until: str(q.until), q: q.q, limit: str(q.limit), cursor: q.cursor,
    });
  }

  /** A page of error groups, most recently seen first; `nextCursor`, passed back as `cursor`, gives the next. */
  errors(q: { functionName?: string; since?: TimeParam; until?: TimeParam; limit?: number; cursor?: string } = {}): Promise<{ errors: readonly ErrorGroupView[]; nextCursor?: string }> {
    return this.http.json('GET', `${BASE}/errors`, undefined, {
      function: q.functionName, since: str(q.since), until: str(q.until), limit: str(q.limit), cursor: q.cursor,
    });
  }

  stats(functionName: string, q: { since?: TimeParam; until?: TimeParam } = {}): Promise<FunctionStatsView> {
    return this.http.json('GET', `${BASE}/stats`, undefined, { function: functionName, since: str(q.since), until: str(q.until) });
  }
}
