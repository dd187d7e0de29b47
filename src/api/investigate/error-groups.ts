// GET /lambkin/v1/errors — failed invocations grouped by function, error type and message shape
// (numbers, ids and hex normalised), with counts, first and last seen, and the latest request id.
// Most recently seen first, a page at a time (limit: default 100, at most 1000): `nextCursor`,
// passed back as `cursor`, continues after the page's last group.
import type { LogReader } from '../../logs/index.js';
import type { ErrorGroupView } from '../../wire.js';
import { json, type Operation } from '../http.js';
import { Query, withToken } from './query.js';

export function errorGroups(store: LogReader): Operation {
  return async (req) => {
    const q = new Query(req);
    const query = {
      functionName: q.string('function'), since: q.time('since'), until: q.time('until'), limit: q.int('limit', 1, 1000) ?? 100,
      token: q.string('cursor'),
    };
    const page = await withToken('cursor', store.errorGroups(query));
    const errors: readonly ErrorGroupView[] = page.errors;
    return json(200, { errors, nextCursor: page.nextToken });
  };
}
