// GET /lambkin/v1/invocations — invocation records, newest first, filtered, keyset-paged.
// GET /lambkin/v1/invocations/{requestId} — one invocation: its record and its log lines, from
// whichever environment ran it, in order, a page at a time (limit: default 1000, at most 10,000;
// at most 1 MB of messages): `next`, passed back as `after`, continues after the page's last line.
import { apiError } from '../../errors.js';
import { compilePattern, PatternError, type CompiledPattern, type LogReader, type Outcome } from '../../logs/index.js';
import type { Registry } from '../../registry/index.js';
import type { InvocationPageView, InvocationRecordView } from '../../wire.js';
import { json, type Operation } from '../http.js';
import { Query, logGroupOf, withToken } from './query.js';
import { eventJson, invocationJson } from './views.js';

const OUTCOMES: readonly Outcome[] = ['success', 'error', 'timeout', 'crash', 'throttled'];

export function listInvocations(store: LogReader, registry: Registry): Operation {
  return async (req) => {
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
    const limit = q.int('limit', 1, 1000) ?? 50;
    // Text: the function's log group only (a group of that name that does not exist matches nothing).
    const group = functionName === undefined ? undefined : logGroupOf(registry, functionName);
    const page = await withToken('cursor', store.invocations({
      functionName, outcome: q.oneOf('outcome', OUTCOMES), cold: q.bool('cold'),
      minDurationMs: q.number('minDurationMs'), since, until, text: pattern && { pattern, group }, limit, token: q.string('cursor'),
    }));
    // A text search that ran out of time answers fewer (even none) with a cursor to go on.
    const invocations: InvocationRecordView[] = page.invocations.map(invocationJson);
    return json(200, { invocations, nextCursor: page.nextToken });
  };
}

export function getInvocation(store: LogReader): Operation {
  return async (req) => {
    const requestId = req.params.requestId ?? '';
    const q = new Query(req);
    const after = q.string('after');
    const limit = q.int('limit', 1, 10_000) ?? 1000;
    const page = await withToken('after', store.requestEvents(requestId, { token: after, limit }));
    const record = await store.getInvocation(requestId);
    if (!record && page.events.length === 0 && after === undefined) {
      throw apiError('ResourceNotFoundException', `No invocation with request id ${requestId} is recorded (it may have expired with its log group's retention).`);
    }
    return json(200, { invocation: record ? invocationJson(record) : null, events: page.events.map(eventJson), next: page.nextToken } satisfies InvocationPageView);
  };
}
