// GET /lambkin/v1/stats?function=&since=&until= — one function's numbers over a time window:
// invocations, errors by type, outcomes, cold starts, duration percentiles, peak memory.
import type { LogReader } from '../../logs/index.js';
import type { FunctionStatsView } from '../../wire.js';
import { json, type Operation } from '../http.js';
import { Query } from './query.js';

export function functionStats(store: LogReader): Operation {
  return async (req) => {
    const q = new Query(req);
    const functionName = q.required('function');
    const since = q.time('since');
    const until = q.time('until');
    return json(200, { functionName, since, until, ...(await store.stats({ functionName, since, until })) } satisfies FunctionStatsView);
  };
}
