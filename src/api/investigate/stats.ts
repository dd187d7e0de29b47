// GET /lambkin/v1/stats?function=&since=&until= — one function's numbers over a time window:
// invocations, errors by type, outcomes, cold starts, duration percentiles, peak memory.
import type { LogStore } from '../../logs/index.js';
import { json, type Operation } from '../http.js';
import { Query } from './query.js';

export function functionStats(store: LogStore): Operation {
  return (req) => {
    const q = new Query(req);
    const functionName = q.required('function');
    const since = q.time('since');
    const until = q.time('until');
    store.sync();
    return json(200, { functionName, since, until, ...store.investigation.stats({ functionName, since, until }) });
  };
}
