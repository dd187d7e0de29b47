// GET /lambkin/v1/invocations — invocation records, newest first, filtered, keyset-paged.
// GET /lambkin/v1/invocations/{requestId} — one invocation: its record and its log lines, from
// whichever environment ran it, in order, a page at a time (limit: default 1000, at most 10,000;
// at most 1 MB of messages): `next`, passed back as `after`, continues after the page's last line.
import { apiError } from '../../errors.js';
import { compilePattern, PatternError, type CompiledPattern, type LogStore, type Outcome } from '../../logs/index.js';
import type { Registry } from '../../registry/index.js';
import { json, type Operation } from '../http.js';
import { Query, encodeCursor, logGroupOf } from './query.js';
import { eventJson, invocationJson } from './views.js';

const OUTCOMES: readonly Outcome[] = ['success', 'error', 'timeout', 'crash', 'throttled'];

interface Cursor {
  readonly t: number;
  readonly s: number;
}
const isCursor = (v: unknown): v is Cursor =>
  typeof v === 'object' && v !== null && Number.isFinite((v as Cursor).t) && Number.isInteger((v as Cursor).s);

export function listInvocations(store: LogStore, registry: Registry): Operation {
  return (req) => {
    const q = new Query(req);
    const functionName = q.string('function');
    const since = q.time('since');
    const until = q.time('until');
    const text = q.string('q');
    let pattern: CompiledPattern | undefined;
    try {
      pattern = text === undefined ? undefined : compilePattern(text);
    } catch (err) {
      if (err instanceof PatternError) throw apiError('InvalidParameterValueException', `'q' is not a filter pattern: ${err.message}`);
      throw err;
    }
    const after = q.cursor('cursor', isCursor);
    const limit = q.int('limit', 1, 1000) ?? 50;
    store.sync();
    // Text: the function's log group only (a group of that name that does not exist matches nothing).
    const groupId = pattern && functionName !== undefined ? (store.groups.get(logGroupOf(registry, functionName))?.id ?? -1) : undefined;
    const page = store.investigation.list({
      functionName, outcome: q.oneOf('outcome', OUTCOMES), cold: q.bool('cold'),
      minDurationMs: q.number('minDurationMs'), since, until, text: pattern && { pattern, groupId }, limit,
      after: after && { startedAt: after.t, seq: after.s },
    });
    // A text search that ran out of time answers fewer (even none) with a cursor to go on.
    return json(200, {
      invocations: page.invocations.map(({ seq: _seq, ...view }) => invocationJson(view)),
      nextCursor: page.next && encodeCursor({ t: page.next.startedAt, s: page.next.seq }),
    });
  };
}

export function getInvocation(store: LogStore): Operation {
  return (req) => {
    const requestId = req.params.requestId ?? '';
    const q = new Query(req);
    const after = q.int('after', 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const limit = q.int('limit', 1, 10_000) ?? 1000;
    store.sync();
    const record = store.investigation.get(requestId);
    const page = store.events.byRequest(requestId, after, limit) ?? { events: [], more: false };
    if (!record && page.events.length === 0 && after === 0) {
      throw apiError('ResourceNotFoundException', `No invocation with request id ${requestId} is recorded (it may have expired with its log group's retention).`);
    }
    const last = page.events[page.events.length - 1];
    return json(200, {
      invocation: record ? invocationJson(record) : null,
      events: page.events.map(eventJson),
      next: page.more && last ? String(last.eventId) : undefined,
    });
  };
}
