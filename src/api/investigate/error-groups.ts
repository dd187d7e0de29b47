// GET /lambkin/v1/errors — failed invocations grouped by function, error type and message shape
// (numbers, ids and hex normalised), with counts, first and last seen, and the latest request id.
import type { LogStore } from '../../logs/index.js';
import { json, type Operation } from '../http.js';
import { Query } from './query.js';

export function errorGroups(store: LogStore): Operation {
  return (req) => {
    const q = new Query(req);
    const query = { functionName: q.string('function'), since: q.time('since'), until: q.time('until'), limit: q.int('limit', 1, 1000) ?? 100 };
    store.sync();
    return json(200, { errors: store.investigation.errors(query) });
  };
}
