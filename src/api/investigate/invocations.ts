// GET /lambkin/v1/invocations — invocation records, newest first, filtered, keyset-paged.
// GET /lambkin/v1/invocations/{requestId} — one invocation: its record and every log line of it,
// from whichever environment ran it, in order.
import { apiError } from '../../errors.js';
import { ftsTerm, type LogStore, type Outcome } from '../../logs/index.js';
import { json, type Operation } from '../http.js';
import { Query, encodeCursor } from './query.js';
import { eventJson, invocationJson } from './views.js';

const OUTCOMES: readonly Outcome[] = ['success', 'error', 'timeout', 'crash', 'throttled'];

interface Cursor {
  readonly t: number;
  readonly s: number;
}
const isCursor = (v: unknown): v is Cursor =>
  typeof v === 'object' && v !== null && Number.isFinite((v as Cursor).t) && Number.isInteger((v as Cursor).s);

export function listInvocations(store: LogStore): Operation {
  return (req) => {
    const q = new Query(req);
    const text = q.string('q');
    const fts = text === undefined ? undefined : ftsTerm(text);
    if (text !== undefined && fts === undefined) {
      throw apiError('InvalidParameterValueException', `'q' must contain at least one word or number (got '${text}').`);
    }
    const after = q.cursor('cursor', isCursor);
    const limit = q.int('limit', 1, 1000) ?? 50;
    store.sync();
    const page = store.investigation.list({
      functionName: q.string('function'), outcome: q.oneOf('outcome', OUTCOMES), cold: q.bool('cold'),
      minDurationMs: q.number('minDurationMs'), since: q.time('since'), until: q.time('until'), fts, limit,
      after: after && { startedAt: after.t, seq: after.s },
    });
    const last = page.invocations[page.invocations.length - 1];
    return json(200, {
      invocations: page.invocations.map(({ seq: _seq, ...view }) => invocationJson(view)),
      nextCursor: page.more && last ? encodeCursor({ t: last.startedAt, s: last.seq }) : undefined,
    });
  };
}

export function getInvocation(store: LogStore): Operation {
  return (req) => {
    const requestId = req.params.requestId ?? '';
    store.sync();
    const record = store.investigation.get(requestId);
    const events = store.events.byRequest(requestId) ?? [];
    if (!record && events.length === 0) {
      throw apiError('ResourceNotFoundException', `No invocation with request id ${requestId} is recorded (it may have expired with its log group's retention).`);
    }
    return json(200, { invocation: record ? invocationJson(record) : null, events: events.map(eventJson) });
  };
}
