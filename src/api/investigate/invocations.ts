// GET /lambkin/v1/invocations — invocation records, newest first, filtered, keyset-paged.
// GET /lambkin/v1/invocations/{requestId} — one invocation: its record and every log line of it,
// from whichever environment ran it, in order.
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

/** A text search reads at most this many matching requests (the most recent are not preferred). */
const MAX_TEXT_MATCHES = 10_000;
const TEXT_SEARCH_MS = 500;

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
    const requestIds = pattern && matchingRequests(store, registry, pattern, functionName, since, until);
    const page = store.investigation.list({
      functionName, outcome: q.oneOf('outcome', OUTCOMES), cold: q.bool('cold'),
      minDurationMs: q.number('minDurationMs'), since, until, requestIds, limit,
      after: after && { startedAt: after.t, seq: after.s },
    });
    const last = page.invocations[page.invocations.length - 1];
    return json(200, {
      invocations: page.invocations.map(({ seq: _seq, ...view }) => invocationJson(view)),
      nextCursor: page.more && last ? encodeCursor({ t: last.startedAt, s: last.seq }) : undefined,
    });
  };
}

/** Requests with a log line matching `pattern`, in the function's group (or every group). */
function matchingRequests(
  store: LogStore, registry: Registry, pattern: CompiledPattern, functionName: string | undefined, since?: number, until?: number,
): string[] {
  const groups = functionName !== undefined
    ? [store.groups.get(logGroupOf(registry, functionName))].filter((g) => g !== undefined)
    : store.groups.list({ limit: 1000 }).groups;
  const found = new Set<string>();
  const deadline = performance.now() + TEXT_SEARCH_MS;
  for (const group of groups) {
    let afterId: number | undefined;
    do {
      const page = store.events.scan({ groupId: group.id, pattern, startTime: since, endTime: until, afterId, limit: 1000 });
      for (const e of page.events) if (e.requestId !== undefined) found.add(e.requestId);
      afterId = page.next;
    } while (afterId !== undefined && found.size < MAX_TEXT_MATCHES && performance.now() < deadline);
  }
  return [...found];
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
