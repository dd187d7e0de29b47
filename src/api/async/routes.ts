// lambkin's own routes for Event invocations, under /lambkin/v1/ (JSON, camelCase like the other
// lambkin routes; errors in Lambda's format):
//   GET  /lambkin/v1/async-queue                            queue depth, per function
//   GET  /lambkin/v1/functions/{name}/dead-letters          events that failed for good, a page at a
//        time (?maxItems=1-1000, default 100; ?marker= a previous page's nextMarker), oldest first
//   POST /lambkin/v1/functions/{name}/dead-letters/redrive  put them back in the queue
import { apiError } from '../../errors.js';
import { json, type Operation, type Route } from '../http.js';
import type { Arns } from '../../registry/arn.js';
import type { AsyncInvoker } from '../../scheduler/async-invoker.js';
import { MAX_DEAD_LETTER_PAGE } from '../../scheduler/async-queue.js';
import type { DeadLetterPageView, QueueDepthView } from '../../wire.js';

const BASE = '/lambkin/v1';

function depth(invoker: AsyncInvoker): Operation {
  return async (req) => {
    const d = await invoker.depth();
    const only = req.query.get('function');
    const answer: QueueDepthView = only === null ? d : { ...d, functions: d.functions.filter((f) => f.name === only) };
    return json(200, answer);
  };
}

function deadLetters(invoker: AsyncInvoker, arns: Arns): Operation {
  return async (req) => {
    const name = req.params.name ?? '';
    const page = await invoker.deadLetters(name, { after: marker(req.query.get('marker')), limit: maxItems(req.query.get('maxItems')) });
    return json(200, {
      deadLetters: page.letters.map((d) => ({
        requestId: d.id,
        functionArn: arns.functionArn(d.functionName, d.qualifier || undefined),
        condition: d.condition,
        attempts: d.attempts,
        enqueuedAt: d.enqueuedAt,
        failedAt: d.failedAt,
        ...(d.errorType !== undefined ? { errorType: d.errorType } : {}),
        ...(d.errorMessage !== undefined ? { errorMessage: d.errorMessage } : {}),
        payload: d.payload.toString('utf8'),
      })),
      ...(page.next !== undefined ? { nextMarker: String(page.next) } : {}),
    } satisfies DeadLetterPageView);
  };
}

function maxItems(raw: string | null): number | undefined {
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_DEAD_LETTER_PAGE) {
    throw apiError('InvalidParameterValueException', `maxItems must be a whole number from 1 to ${MAX_DEAD_LETTER_PAGE}, not '${raw}'.`);
  }
  return n;
}

/** A page's nextMarker: the position of its last letter. */
function marker(raw: string | null): number | undefined {
  if (raw === null) return undefined;
  if (!/^[0-9]{1,15}$/.test(raw)) throw apiError('InvalidParameterValueException', `Invalid marker: '${raw}'. Give a nextMarker of a previous page.`);
  return Number(raw);
}

function redrive(invoker: AsyncInvoker): Operation {
  return async (req) => json(200, { redriven: await invoker.redrive(req.params.name ?? '') });
}

export function asyncRoutes(invoker: AsyncInvoker, arns: Arns): Route[] {
  return [
    { method: 'GET', pattern: `${BASE}/async-queue`, operation: depth(invoker) },
    { method: 'GET', pattern: `${BASE}/functions/{name}/dead-letters`, operation: deadLetters(invoker, arns) },
    { method: 'POST', pattern: `${BASE}/functions/{name}/dead-letters/redrive`, operation: redrive(invoker) },
  ];
}
