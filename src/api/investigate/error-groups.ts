// GET /lambkin/v1/errors — failed invocations grouped by function, error type and message shape
// (numbers, ids and hex normalised), with counts, first and last seen, and the latest request id.
// Most recently seen first, a page at a time (limit: default 100, at most 1000): `nextCursor`,
// passed back as `cursor`, continues after the page's last group.
import type { ErrorGroupCursor, LogStore } from '../../logs/index.js';
import { json, type Operation } from '../http.js';
import { Query, encodeCursor } from './query.js';

interface Cursor {
  readonly t: number;
  readonly s: number;
}
const isCursor = (v: unknown): v is Cursor =>
  typeof v === 'object' && v !== null && Number.isFinite((v as Cursor).t) && Number.isInteger((v as Cursor).s);

export function errorGroups(store: LogStore): Operation {
  return (req) => {
    const q = new Query(req);
    const after = q.cursor('cursor', isCursor);
    const query = {
      functionName: q.string('function'), since: q.time('since'), until: q.time('until'), limit: q.int('limit', 1, 1000) ?? 100,
      after: after && ({ lastSeen: after.t, seq: after.s } satisfies ErrorGroupCursor),
    };
    store.sync();
    const page = store.investigation.errorPage(query);
    return json(200, { errors: page.errors, nextCursor: page.next && encodeCursor({ t: page.next.lastSeen, s: page.next.seq }) });
  };
}
