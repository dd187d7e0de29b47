// The console's numbers, from the rollup (rollup.ts):
//   GET /lambkin/v1/overview?window=    every function's totals over the window, a sparkline of its
//                                       invocations and errors, and its environments now
//   GET /lambkin/v1/timeseries?function=&window=   one function's chart points over the window
//   GET /lambkin/v1/error-trends?window=&limit=    each error group's counts over the window (the
//                                                  most frequent `limit`, ≤ 1000; `more` if others)
// Windows: 15m, 1h, 24h, 7d (whole buckets: a window starts at a bucket edge). `complete` is false
// while the server is still reading the records stored before it started (numbers are partial).
import type { Scheduler } from '../../scheduler/scheduler.js';
import type { ErrorTrendsView, OverviewRow, Series } from '../../wire.js';
import { json, type Operation } from '../http.js';
import { Query } from '../investigate/query.js';
import type { Feed } from './loader.js';
import { WINDOWS, type Rollup, type WindowName } from './rollup.js';

const SPARK_POINTS = 30;
/** Error groups one /error-trends answer holds at most (each 24 counts and a ≤ 512-character key). */
const MAX_TREND_GROUPS = 1000;

export interface MetricsDeps {
  readonly rollup: Rollup;
  readonly feed: Feed;
  readonly scheduler: Scheduler;
  /** Write what the log store has queued (its hook then brings it here): a page shows what just ran. */
  readonly sync: () => Promise<void>;
}

function windowOf(q: Query): WindowName {
  return q.oneOf('window', Object.keys(WINDOWS) as WindowName[]) ?? '1h';
}

export function overview(deps: MetricsDeps): Operation {
  return async (req) => {
    const window = windowOf(new Query(req));
    await deps.sync();
    const envs = deps.scheduler.environments();
    const names = new Set([...deps.rollup.functions(), ...envs.map((e) => e.functionName)]);
    const step = WINDOWS[window].ms / SPARK_POINTS;
    const functions = [...names].sort().map((fn): OverviewRow => {
      const mine = envs.filter((e) => e.functionName === fn);
      const spark = deps.rollup.series(fn, window, step, false);
      return {
        functionName: fn,
        ...deps.rollup.window(fn, window),
        environmentsNow: { total: mine.length, busy: mine.filter((e) => e.busy).length },
        spark: { since: spark.since, step: spark.step, invocations: spark.points.map((p) => p.invocations), errors: spark.points.map((p) => p.errors) },
      };
    });
    return json(200, { window, until: Date.now(), complete: deps.feed.complete(), functions });
  };
}

export function timeseries(deps: MetricsDeps): Operation {
  return async (req) => {
    const q = new Query(req);
    const fn = q.required('function');
    const window = windowOf(q);
    await deps.sync();
    const s = deps.rollup.series(fn, window);
    return json(200, {
      functionName: fn, window, since: s.since, until: s.until, step: s.step, complete: deps.feed.complete(), totals: deps.rollup.window(fn, window),
      points: s.points.map(({ t, invocations, errors, throttles, coldStarts, initMsAvg, initMsMax, durationMs, environments, maxMemoryUsedMb, memoryMb }) =>
        ({ t, invocations, errors, throttles, coldStarts, initMsAvg, initMsMax, durationMs, environments, maxMemoryUsedMb, memoryMb })),
    } satisfies Series);
  };
}

export function errorTrends(deps: MetricsDeps): Operation {
  return async (req) => {
    const q = new Query(req);
    const window = windowOf(q);
    const limit = q.int('limit', 1, MAX_TREND_GROUPS) ?? MAX_TREND_GROUPS;
    await deps.sync();
    const t = deps.rollup.errorTrends(window);
    // The groups with the most errors first, at most `limit` (the rest: `more`).
    const all = [...t.groups].map(([key, g]) => {
      const [, errorType, message] = key.split('\0');
      return { functionName: g.functionName, errorType, message, counts: g.counts, total: g.counts.reduce((a, b) => a + b, 0) };
    }).sort((a, b) => b.total - a.total);
    const groups = all.slice(0, limit).map(({ total: _total, ...g }) => g);
    return json(200, { window, since: t.since, step: t.step, complete: deps.feed.complete(), groups, more: all.length > limit } satisfies ErrorTrendsView);
  };
}
